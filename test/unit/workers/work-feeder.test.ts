import { afterEach, describe, expect, it } from "vitest";
import { createFakeSqs } from "../../support/sqs-fake.ts";
import type { ReceivedMessage, ReceiveOptions, SqsPort } from "../../../shared/aws/sqs-port.ts";
import { silentLogger } from "../../../shared/log/logger.ts";
import { HeldMessages } from "../../../workers/held-messages.ts";
import { intakePolicy } from "../../../workers/receive-plan.ts";
import { WorkFeeder } from "../../../workers/work-feeder.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await sleep(5);
  }
}

/** A fake SQS that records every receive and visibility change. */
async function queue(messages: number) {
  const inner = createFakeSqs();
  const { url } = await inner.ensureQueue("work");
  await inner.sendBatch(
    url,
    Array.from({ length: messages }, (_, i) => ({ body: `m${i}` })),
  );
  const receives: ReceiveOptions[] = [];
  const visibility: number[] = [];
  const sqs: SqsPort = {
    ...inner,
    receive: (u, o = {}) => {
      receives.push(o);
      return inner.receive(u, o);
    },
    changeVisibility: (u, h, s) => {
      visibility.push(s);
      return inner.changeVisibility(u, h, s);
    },
  };
  return { sqs, url, receives, visibility, inner };
}

/** Slots whose jobs finish when the test says so. */
function slots(concurrency: number) {
  const running: { body: string; finish: () => void }[] = [];
  const started: string[] = [];
  let feeder: WorkFeeder | undefined;
  return {
    running,
    started,
    attach: (f: WorkFeeder) => (feeder = f),
    free: () => concurrency - running.length,
    run: (m: ReceivedMessage) => {
      started.push(m.body);
      const job = {
        body: m.body,
        finish: () => {
          running.splice(running.indexOf(job), 1);
          feeder?.slotFreed();
        },
      };
      running.push(job);
    },
  };
}

const feeders: WorkFeeder[] = [];
afterEach(async () => {
  await Promise.all(feeders.splice(0).map((f) => f.stop()));
});

async function setup(concurrency: number, prefetch: number, messages: number) {
  const q = await queue(messages);
  const s = slots(concurrency);
  const ctl = new AbortController();
  const feeder = new WorkFeeder({
    sqs: q.sqs,
    queueUrl: q.url,
    pollWaitSeconds: 1,
    visibilityTimeoutSeconds: 30,
    prefetch,
    policy: intakePolicy(concurrency, prefetch),
    log: silentLogger(),
    free: s.free,
    run: s.run,
    abort: ctl.signal,
  });
  s.attach(feeder);
  feeders.push(feeder);
  return { ...q, ...s, feeder };
}

describe("WorkFeeder", () => {
  it("fills the free slots, then holds prefetched messages that a freed slot starts with no receive", async () => {
    const t = await setup(2, 2, 10);
    t.feeder.start();
    await until(() => t.running.length === 2);
    expect(t.feeder.held).toBe(0); // no prefetch before slots have turned over
    // Turn the slots over quickly a few times: prefetch comes on, held messages build up.
    for (let i = 0; i < 3; i++) {
      t.running[0]!.finish();
      await until(() => t.running.length === 2);
    }
    await until(() => t.feeder.held === 2);
    const receivesBefore = t.receives.length;
    t.running[0]!.finish();
    expect(t.running).toHaveLength(2); // started synchronously from the held list
    // At most a refill of the held list went out: a short poll, which the slot did not wait for.
    for (const r of t.receives.slice(receivesBefore)) expect(r.waitSeconds).toBe(0);
    // Every receive brought messages that were run in order, none twice.
    await until(() => t.feeder.held === 2);
    expect(new Set(t.started).size).toBe(t.started.length);
    expect(t.started.length + t.feeder.held).toBeLessThanOrEqual(10);
  });

  it("refills held messages with short polls only, and never holds more than the prefetch", async () => {
    const t = await setup(2, 2, 30);
    t.feeder.start();
    for (let i = 0; i < 12; i++) {
      await until(() => t.running.length === 2);
      t.running[0]!.finish();
      expect(t.feeder.held).toBeLessThanOrEqual(2);
    }
    const refills = t.receives.filter((r) => (r.maxMessages ?? 0) > 0 && r.waitSeconds === 0);
    expect(refills.length).toBeGreaterThan(0);
    for (const r of t.receives) expect(r.maxMessages).toBeLessThanOrEqual(2 + 2);
  });

  it("stop() makes held messages visible again and starts none of them", async () => {
    const t = await setup(1, 3, 10);
    t.feeder.start();
    for (let i = 0; i < 4; i++) {
      await until(() => t.running.length === 1);
      t.running[0]!.finish();
    }
    await until(() => t.feeder.held > 0);
    const started = t.started.length;
    const held = t.feeder.held;
    await t.feeder.stop();
    expect(t.feeder.held).toBe(0);
    expect(t.visibility.filter((v) => v === 0)).toHaveLength(held);
    t.running[0]?.finish();
    expect(t.started.length).toBe(started);
    // Everything not started is on the queue again, visible now.
    const again = await t.inner.receive(t.url, { maxMessages: 10 });
    expect(again.length).toBe(10 - started);
  });

  it("gives back what a long poll brings after stop()", async () => {
    const t = await setup(1, 1, 0);
    t.feeder.start();
    await until(() => t.receives.length === 1); // a long poll on the empty queue
    const stopped = t.feeder.stop();
    await t.inner.send(t.url, { body: "late" });
    await stopped;
    expect(t.started).toEqual([]);
    expect((await t.inner.receive(t.url)).map((m) => m.body)).toEqual(["late"]);
  });
});

describe("HeldMessages", () => {
  it("extends a held message's visibility before it lapses, so it is not delivered twice", async () => {
    const q = await queue(1);
    const held = new HeldMessages({
      sqs: q.sqs,
      queueUrl: q.url,
      visibilityTimeoutSeconds: 1,
      log: silentLogger(),
    });
    const [m] = await q.inner.receive(q.url, { visibilityTimeout: 1 });
    held.hold(m!);
    await sleep(1_600);
    expect(q.visibility.filter((v) => v === 1).length).toBeGreaterThanOrEqual(2);
    expect(await q.inner.receive(q.url)).toEqual([]); // still invisible: not redelivered
    expect(held.take()?.messageId).toBe(m!.messageId);
    expect(held.size).toBe(0);
  });

  it("drops a message whose visibility cannot be extended (another worker may have it)", async () => {
    const q = await queue(1);
    const held = new HeldMessages({
      sqs: q.sqs,
      queueUrl: q.url,
      visibilityTimeoutSeconds: 1,
      log: silentLogger(),
    });
    const [m] = await q.inner.receive(q.url, { visibilityTimeout: 1 });
    await q.inner.delete(q.url, m!.receiptHandle);
    held.hold(m!);
    await sleep(700);
    expect(held.size).toBe(0);
    expect(held.take()).toBeUndefined();
  });
});
