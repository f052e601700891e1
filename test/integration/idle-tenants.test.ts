/**
 * Idle tenants on the real local stack (ADR 0023). Every SQS request the scheduler sends goes through
 * a counting proxy (`test/support/sqs-request-counter.ts`), which also sees which receive carried
 * which message. "Idle for a minute" is made of completed long-poll cycles (1-2 s waits here): the
 * scheduler's state is the same after three idle cycles as after three 20 s ones. No latency is
 * asserted (that is `npm run bench -- tenants`); what is asserted is who picked the message up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFairScheduler } from "../../scheduler/create-fair-scheduler.ts";
import type { FairScheduler } from "../../scheduler/loop/fair-scheduler.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { startSqsRequestCounter, type SqsRequestCounter } from "../support/sqs-request-counter.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { heartbeatSlots } from "./helpers/worker-slots.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function fakeWorkerSlots(fleet: TestFleet): Promise<void> {
  await heartbeatSlots(fleet, "w-idle", 20, 300_000);
}

describe("an idle tenant's first message", () => {
  let fleet: TestFleet;
  let counter: SqsRequestCounter;
  let scheduler: FairScheduler | undefined;
  const TENANTS = ["quiet", "calm", "still"];

  beforeAll(async () => {
    fleet = await createTestFleet("idle", { tenants: TENANTS });
    counter = await startSqsRequestCounter(fleet.config.aws.endpoint ?? "");
    await fakeWorkerSlots(fleet);
  });
  afterAll(async () => {
    await scheduler?.stop();
    await counter?.close();
    await fleet?.cleanup();
  });

  it("is picked up by the tenant's long poll itself after several idle cycles, and released", async () => {
    const rt = await fleet.runtime({ AWS_ENDPOINT_URL: counter.url });
    // intervalMs 60 s: after its first ticks the loop would sleep a minute; only a long poll's
    // answer (which nudges it) can get the message released sooner.
    scheduler = createFairScheduler(rt, fleet.catalog, {
      loop: { intervalMs: 60_000, intake: { longPollSeconds: 1 } },
    });
    await scheduler.start();
    const intake = (q: string | undefined) =>
      q !== undefined && q.includes("-intake-") && !q.endsWith("-dlq");
    const quietQueue = (await fleet.rt.queues.intake(tenantId("quiet"))).queueName;
    const pollsOf = (queue: string) =>
      counter.requests.filter(
        (r) => r.queue === queue && r.action === "ReceiveMessage" && r.waitSeconds === 1,
      );
    // Three completed 1 s long polls of the quiet tenant (a fourth open), every tenant idle.
    await until(() => pollsOf(quietQueue).length >= 4, "three idle long-poll cycles");
    expect(scheduler.intakeStats()).toMatchObject({ idle: 3, backlogged: 0 });
    const ticksBefore = scheduler.metrics.ticks;
    const sentAt = Date.now();
    const { messageId } = await fleet.rt.sqs.send(
      (await fleet.rt.queues.intake(tenantId("quiet"))).queueUrl,
      {
        body: JSON.stringify({
          tenantId: "quiet",
          workflow: "hello",
          idempotencyKey: "k-1",
          input: { name: "Ada" },
        }),
      },
    );

    await until(
      async () => (await fleet.rt.jobsOf(tenantId("quiet")).findByIdempotencyKey("k-1")) !== null,
      "the release",
      30_000,
    );
    // The receive that carried the message was one of the tenant's long polls.
    const carriers = counter.requests.filter((r) => r.messageIds?.includes(messageId));
    expect(carriers).toHaveLength(1);
    expect(carriers[0]).toMatchObject({ action: "ReceiveMessage", queue: quietQueue, waitSeconds: 1 });
    // Before it was picked up, nobody short-polled or read the depth of an intake queue.
    const pickedAt = carriers[0]?.at ?? 0;
    const shortOrDepth = counter.since(
      sentAt,
      (r) =>
        intake(r.queue) && r.at <= pickedAt && (r.action === "GetQueueAttributes" || r.waitSeconds === 0),
    );
    expect(shortOrDepth).toEqual([]);
    // It took a nudge, not the 60 s pause: the loop ticked again (and is idle again afterwards).
    expect(scheduler.metrics.ticks).toBeGreaterThan(ticksBefore);
    await until(() => scheduler?.intakeStats().idle === 3, "the tenant back on its long poll");
  });
});

describe("200 idle tenants", () => {
  let fleet: TestFleet;
  let counter: SqsRequestCounter;
  let scheduler: FairScheduler | undefined;
  const TENANTS = Array.from({ length: 200 }, (_, i) => `idle-${String(i).padStart(3, "0")}`);

  beforeAll(async () => {
    fleet = await createTestFleet("many", { tenants: TENANTS });
    counter = await startSqsRequestCounter(fleet.config.aws.endpoint ?? "");
  }, 240_000);
  afterAll(async () => {
    await scheduler?.stop();
    await counter?.close();
    await fleet?.cleanup();
  }, 120_000);

  it("make at most one request per tenant per long-poll wait (plus one), none of them short", async () => {
    const rt = await fleet.runtime({ AWS_ENDPOINT_URL: counter.url });
    const WAIT_S = 2;
    scheduler = createFairScheduler(rt, fleet.catalog, { loop: { intake: { longPollSeconds: WAIT_S } } });
    await scheduler.start();
    await until(() => scheduler?.intakeStats().idle === 200, "every tenant idle", 120_000);
    const from = Date.now();
    await sleep(10_000);
    const to = Date.now();
    const windowS = (to - from) / 1000;
    const inWindow = counter.since(from).filter((r) => r.at <= to);
    const intake = inWindow.filter((r) => r.queue?.includes("-intake-") === true);
    // Each tenant: one poll open at the start, then one per completed wait.
    const bound = TENANTS.length * (Math.ceil(windowS / WAIT_S) + 1);
    expect(intake.length).toBeLessThanOrEqual(bound);
    expect(intake.filter((r) => r.action !== "ReceiveMessage" || r.waitSeconds !== WAIT_S)).toEqual([]);
    // The scheduler's other SQS traffic in the window: the work queue's depth guard (≤ 2/s).
    expect(inWindow.length - intake.length).toBeLessThanOrEqual(Math.ceil(windowS * 2) + 2);
    // Before ADR 0023 the same tenants cost ~3.6 requests/s each: ~7,200 in this window.
    expect(intake.length).toBeLessThan(TENANTS.length * windowS * 0.6);
  }, 180_000);
});
