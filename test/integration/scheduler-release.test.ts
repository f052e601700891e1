import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newQueuedJob } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { createFairScheduler } from "../../scheduler/create-fair-scheduler.ts";
import { createUsageSettleHook } from "../../shared/usage/settle-hook.ts";
import type { FairScheduler } from "../../scheduler/loop/fair-scheduler.ts";
import { UsageLedger } from "../../shared/usage/ledger.ts";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import { createWorker } from "../../workers/create-worker.ts";
import type { Worker } from "../../workers/worker.ts";
import { sleep } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { heartbeatSlots } from "./helpers/worker-slots.ts";

/**
 * Idempotent release and exactly-once slot accounting, driven tick by tick: a scheduler that crashed
 * after creating the job but before deleting the intake message is replayed by building that state
 * directly, then redelivering the message.
 */
const acme = tenantId("acme");
let fleet: TestFleet;
let scheduler: FairScheduler;
let worker: Worker;
let usage: UsageStore;

beforeAll(async () => {
  fleet = await createTestFleet("sched-rel", { tenants: ["acme"] });
  scheduler = createFairScheduler(fleet.rt, fleet.catalog);
  worker = createWorker(fleet.rt, {
    catalog: fleet.catalog,
    steps: fleet.steps,
    onSettled: createUsageSettleHook(fleet.rt),
  });
  usage = new UsageStore(fleet.rt.router, { now: Date.now, log: silentLogger() });
  await fleet.rt.fleetDb.collection("usage").deleteMany({});
  await heartbeatSlots(fleet, "w1", 4, 60_000);
});
afterAll(() => fleet?.cleanup());

async function loadQuotas(): Promise<void> {
  // Drive the quota source once without starting the loop: start() then stop() leaves the book loaded.
  await scheduler.start();
  await scheduler.stop();
}

const running = async () => (await usage.get(acme)).running;
const body = (key: string) =>
  JSON.stringify({ tenantId: "acme", workflow: "hello", idempotencyKey: key, input: { name: "Ada" } });

describe("idempotent release", () => {
  it("a crash between job creation and intake delete does not create a second job", async () => {
    await loadQuotas();
    const { queueUrl } = await fleet.rt.queues.intake(acme);
    await fleet.rt.sqs.send(queueUrl, { body: body("crash-1") });
    // The crashed scheduler's steps: receive, create the job, send its work message; no delete.
    const [m] = await fleet.rt.sqs.receive(queueUrl, { waitSeconds: 2 });
    const wf = fleet.catalog.get("hello")!;
    const created = await fleet.rt.jobsOf(acme).create(
      newQueuedJob(
        {
          jobId: newJobId(Date.now()),
          tenantId: acme,
          idempotencyKey: "crash-1",
          workflow: { name: wf.name, version: wf.version },
          input: { inline: { name: "Ada" } },
        },
        Date.now(),
      ),
    );
    expect(created.created).toBe(true);
    await fleet.sendWork("acme", created.job._id);
    await fleet.rt.sqs.changeVisibility(queueUrl, m!.receiptHandle, 0); // redelivered at once

    const tick = await scheduler.tick();
    expect(tick).toMatchObject({ released: 1, rejected: 0, duplicates: 0 });
    const jobs = fleet.rt.fleetDb.collection("jobs");
    expect(await jobs.countDocuments({ tenantId: "acme", idempotencyKey: "crash-1" })).toBe(1);
    expect(
      (await fleet.rt.sqs.approximateDepth(queueUrl)).visible +
        (await fleet.rt.sqs.approximateDepth(queueUrl)).inFlight,
    ).toBe(0);
    expect(await running()).toBe(1);

    // Two work messages for one job: one runs it, the other is a no-op; the slot comes back once.
    const outcomes = [...(await worker.pollOnce(2)), ...(await worker.pollOnce(1))];
    // The duplicate is skipped, loses the claim race, or — received while the job runs in this very
    // worker — waits for that run (deferred) and is then a no-op.
    expect(outcomes.map((o) => o.kind).sort()).toEqual([
      expect.stringMatching(/^(deferred|finished)$/),
      expect.stringMatching(/^(skipped|lost|finished)$/),
    ]);
    expect(outcomes.filter((o) => o.kind === "finished")).toHaveLength(1);
    expect((await fleet.getJob("acme", created.job._id))?.status).toBe("complete");
    expect(await running()).toBe(0);
  });

  it("a redelivered message for a finished job is a duplicate and gives its slot back", async () => {
    const job = await fleet.rt.jobsOf(acme).findByIdempotencyKey("crash-1");
    const { queueUrl } = await fleet.rt.queues.intake(acme);
    await fleet.rt.sqs.send(queueUrl, { body: body("crash-1") });
    const tick = await scheduler.tick();
    expect(tick).toMatchObject({ released: 0, duplicates: 1 });
    expect(await running()).toBe(0);
    expect((await fleet.rt.jobsOf(acme).findByIdempotencyKey("crash-1"))?._id).toBe(job?._id);
  });

  it("an intake delete that fails after the work message went out keeps the job's slot (bug 11)", async () => {
    const { queueUrl } = await fleet.rt.queues.intake(acme);
    // A scheduler whose delete of the intake message fails once (SQS throttling, a network error).
    const failedDeletes: string[] = [];
    const sqs = {
      ...fleet.rt.sqs,
      async delete(url: string, receiptHandle: string) {
        if (url === queueUrl && failedDeletes.length === 0) {
          failedDeletes.push(receiptHandle);
          throw Object.assign(new Error("injected delete failure"), { name: "ThrottlingException" });
        }
        return fleet.rt.sqs.delete(url, receiptHandle);
      },
    };
    // One replica at a time: the first scheduler gives its tenant lease back (ADR 0024).
    await scheduler.stop();
    const flaky = createFairScheduler({ ...fleet.rt, sqs }, fleet.catalog);
    await flaky.start();
    await flaky.stop();
    const dailyBefore = (await usage.get(acme)).releasedToday;
    await fleet.rt.sqs.send(queueUrl, { body: body("del-fail") });

    const tick = await flaky.tick();
    expect(failedDeletes).toHaveLength(1);
    expect(tick).toMatchObject({ released: 1, errors: 0 });
    const job = await fleet.rt.jobsOf(acme).findByIdempotencyKey("del-fail");
    expect(job?.status).toBe("queued");
    // The job is released (its work message is out), so it holds its slot and today's count.
    expect(await running()).toBe(1);
    expect((await usage.get(acme)).releasedToday).toBe(dailyBefore + 1);

    // The job runs and finishes: its slot comes back once.
    const outcomes = await worker.pollOnce(2);
    expect(outcomes.map((o) => o.kind)).toEqual(["finished"]);
    expect(await running()).toBe(0);
    // The undeleted intake message comes back: a duplicate, whose own acquisition is refunded.
    await fleet.rt.sqs.changeVisibility(queueUrl, failedDeletes[0]!, 0);
    let duplicates = 0;
    for (let i = 0; i < 20 && duplicates === 0; i += 1) {
      const t = await flaky.tick();
      expect(t.released).toBe(0);
      duplicates += t.duplicates;
      if (duplicates === 0) await sleep(100);
    }
    expect(duplicates).toBe(1);
    expect(await running()).toBe(0);
    expect((await usage.get(acme)).releasedToday).toBe(dailyBefore + 1);
    expect(await fleet.rt.fleetDb.collection("jobs").countDocuments({ idempotencyKey: "del-fail" })).toBe(1);
  });
});

describe("usage ledger", () => {
  it("gives a slot back exactly once, in either order, however often each side reports", async () => {
    const ledger = new UsageLedger(fleet.rt.router, usage, { now: Date.now, log: silentLogger() });
    expect((await usage.tryAcquire(acme, 10)).ok).toBe(true);
    expect(await ledger.recordSettled(acme, "j-fast")).toBe("pending"); // the job rested first
    expect(await ledger.recordAcquired(acme, "j-fast")).toBe("settled");
    expect(await running()).toBe(0);

    expect((await usage.tryAcquire(acme, 10)).ok).toBe(true);
    expect((await usage.tryAcquire(acme, 10)).ok).toBe(true); // a second scheduler released the same job
    expect(await ledger.recordAcquired(acme, "j-2")).toBe("held");
    expect(await ledger.recordAcquired(acme, "j-2")).toBe("repeat");
    expect(await running()).toBe(1);
    const settles = await Promise.all([1, 2, 3].map(() => ledger.recordSettled(acme, "j-2")));
    expect(settles.sort()).toEqual(["released", "repeat", "repeat"]);
    expect(await running()).toBe(0);
  });
});
