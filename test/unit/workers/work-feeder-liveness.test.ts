import { describe, expect, it } from "vitest";
import type { Logger } from "pino";
import { createFakeSqs } from "../../support/sqs-fake.ts";
import type { ReceivedMessage, SqsPort } from "../../../shared/aws/sqs-port.ts";
import { silentLogger } from "../../../shared/log/logger.ts";
import type { TimerHandle, Timers } from "../../../shared/runtime/timers.ts";
import { intakePolicy } from "../../../workers/receive-plan.ts";
import { WorkFeeder } from "../../../workers/work-feeder.ts";

/**
 * Two clocks, as in Node: timers fire on `loop` time (libuv caches it at the start of a loop
 * iteration), `now()` is the monotonic clock the feeder reads. Synchronous work (a slow log line)
 * advances `now` but not `loop`, so a timer set after it fires early as `now` measures.
 */
function clocks() {
  let loop = 0;
  let skew = 0;
  let seq = 0;
  const pending = new Map<object, { due: number; seq: number; fn: () => void }>();
  const timers: Timers = {
    set(fn, ms) {
      const h = {};
      pending.set(h, { due: loop + ms, seq: seq++, fn });
      return h;
    },
    clear(h: TimerHandle | undefined) {
      if (h) pending.delete(h);
    },
  };
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return {
    timers,
    now: () => loop + skew,
    /** Synchronous work of `ms`: the monotonic clock moves, loop time does not until the next tick. */
    busy: (ms: number) => (skew += ms),
    pendingTimers: () => pending.size,
    /** Runs the loop for `ms`, firing due timers in order and letting promises settle between them. */
    async advance(ms: number) {
      const end = loop + skew + ms;
      loop += skew; // a new loop iteration: loop time catches up with the real clock
      skew = 0;
      for (;;) {
        await flush();
        const next = [...pending.entries()].sort((a, b) => a[1].due - b[1].due || a[1].seq - b[1].seq)[0];
        if (!next || next[1].due > end) break;
        pending.delete(next[0]);
        loop = Math.max(loop + skew, next[1].due);
        skew = 0;
        next[1].fn();
      }
      loop = Math.max(loop + skew, end);
      skew = 0;
      await flush();
    },
  };
}

async function failingQueue(failures: number) {
  const inner = createFakeSqs();
  const { url } = await inner.ensureQueue("work");
  await inner.send(url, { body: "m0" });
  let calls = 0;
  const sqs: SqsPort = {
    ...inner,
    receive: async (u, o = {}) => {
      calls += 1;
      if (calls <= failures) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      return inner.receive(u, { ...o, waitSeconds: 0 });
    },
  };
  return { sqs, url, calls: () => calls };
}

describe("WorkFeeder liveness (issue 9 bug A)", () => {
  it("keeps polling after failed receives when the retry timer fires early on its own clock", async () => {
    const c = clocks();
    const q = await failingQueue(3);
    const started: ReceivedMessage[] = [];
    // A slow error log: 3 ms of synchronous work after which the feeder computes its pause deadline.
    const slowLog = {
      error: () => c.busy(3),
      warn: () => undefined,
      info: () => undefined,
      debug: () => undefined,
    } as unknown as Logger;
    const feeder = new WorkFeeder({
      sqs: q.sqs,
      queueUrl: q.url,
      pollWaitSeconds: 0,
      visibilityTimeoutSeconds: 30,
      prefetch: 0,
      policy: intakePolicy(1, 0),
      log: slowLog,
      free: () => 1 - started.length,
      run: (m) => void started.push(m),
      abort: new AbortController().signal,
      now: c.now,
      timers: c.timers,
    });
    feeder.start();
    for (let i = 0; i < 10 && started.length === 0; i++) await c.advance(1000);
    expect(q.calls()).toBeGreaterThanOrEqual(4);
    expect(started.map((m) => m.body)).toEqual(["m0"]);
    expect(feeder.liveness().failures).toBe(0);
    await feeder.stop();
  });

  it("reports a stalled feeder and polls again after restart()", async () => {
    const c = clocks();
    const inner = createFakeSqs();
    const { url } = await inner.ensureQueue("work");
    let hang = true;
    const sqs: SqsPort = {
      ...inner,
      // A receive that never returns (a hung connection), until the dependency is back.
      receive: (u, o = {}) =>
        hang
          ? new Promise((_, reject) =>
              o.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
            )
          : inner.receive(u, { ...o, waitSeconds: 0 }),
    };
    await inner.send(url, { body: "m0" });
    const started: ReceivedMessage[] = [];
    const abort = new AbortController();
    const feeder = new WorkFeeder({
      sqs,
      queueUrl: url,
      pollWaitSeconds: 20,
      visibilityTimeoutSeconds: 30,
      prefetch: 0,
      policy: intakePolicy(1, 0),
      log: silentLogger(),
      free: () => 1 - started.length,
      run: (m) => void started.push(m),
      abort: abort.signal,
      now: c.now,
      timers: c.timers,
    });
    feeder.start();
    await c.advance(60_000);
    const l = feeder.liveness();
    expect(l.inFlightSince).toEqual([0]);
    expect(l.free).toBe(1);
    expect(started).toHaveLength(0);
    hang = false;
    feeder.restart();
    await c.advance(10);
    expect(started.map((m) => m.body)).toEqual(["m0"]);
    abort.abort(); // the hung receive ends with the grace period
    await feeder.stop();
  });

  it("receives nothing and gives held messages back while intake is closed", async () => {
    const inner = createFakeSqs();
    const { url } = await inner.ensureQueue("work");
    await inner.send(url, { body: "m0" });
    let open = false;
    let receives = 0;
    const sqs: SqsPort = {
      ...inner,
      receive: (u, o = {}) => {
        receives += 1;
        return inner.receive(u, { ...o, waitSeconds: 0 });
      },
    };
    const started: ReceivedMessage[] = [];
    const feeder = new WorkFeeder({
      sqs,
      queueUrl: url,
      pollWaitSeconds: 0,
      visibilityTimeoutSeconds: 30,
      prefetch: 0,
      policy: intakePolicy(1, 0),
      log: silentLogger(),
      free: () => 1 - started.length,
      run: (m) => void started.push(m),
      abort: new AbortController().signal,
      intakeOpen: () => open,
    });
    feeder.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(receives).toBe(0);
    expect(feeder.liveness().open).toBe(false);
    open = true;
    feeder.pump();
    await new Promise((r) => setTimeout(r, 20));
    expect(started.map((m) => m.body)).toEqual(["m0"]);
    await feeder.stop();
  });
});
