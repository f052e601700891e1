/**
 * Issue 9, bug 3: one malformed job document must not stop a sweeper pass for every tenant, nor
 * loop through the DLQ holding its tenant's slot. An unreadable job is marked `failed` with
 * `Sluice.InvalidJobDocument` (its document kept under `invalid.raw`) and its slot given back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUsageSettleHook } from "../../shared/usage/settle-hook.ts";
import { UsageLedger } from "../../shared/usage/ledger.ts";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { createWorker } from "../../workers/create-worker.ts";
import { TEST_WORKFLOW_DIRS, testSteps } from "./fixtures/steps.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { oneDbRouter } from "../support/one-db-router.ts";

const acme = tenantId("acme");
let fleet: TestFleet;

beforeAll(async () => {
  fleet = await createTestFleet("badjob", { workflowsDir: TEST_WORKFLOW_DIRS, steps: testSteps() });
});
afterAll(() => fleet?.cleanup());

const rawJobs = () => fleet.rt.fleetDb.collection<Record<string, unknown>>(COLLECTIONS.jobs);
const rawJob = (jobId: string) => rawJobs().findOne({ _id: jobId as never });

describe("an invalid job document", () => {
  it("a worker receiving its message fails it with Sluice.InvalidJobDocument, deletes the message and frees the slot", async () => {
    const db = fleet.rt.fleetDb;
    const log = fleet.rt.log;
    const usage = new UsageStore(oneDbRouter(db), { now: Date.now, log });
    const ledger = new UsageLedger(oneDbRouter(db), usage, { now: Date.now, log });
    const jobId = await fleet.submit("acme", "hello", { name: "Ada" }, { send: false });
    expect((await usage.tryAcquire(acme, 5)).ok).toBe(true); // the scheduler released it
    await ledger.recordAcquired(acme, jobId);
    expect((await usage.get(acme)).running).toBe(1);

    // Hand-edited: two fields of the wrong type.
    await rawJobs().updateOne({ _id: jobId as never }, { $set: { attempts: "many", workflow: 42 } });
    await fleet.sendWork("acme", jobId);
    const worker = createWorker(fleet.rt, {
      catalog: fleet.catalog,
      steps: fleet.steps,
      onSettled: createUsageSettleHook(fleet.rt),
    });
    const outcomes = await worker.pollOnce(5);
    expect(outcomes).toEqual([{ kind: "finished", status: "failed" }]);

    const doc = await rawJob(jobId);
    expect(doc).toMatchObject({ status: "failed", error: "Sluice.InvalidJobDocument", lease: null });
    expect(doc!.cause).toMatch(/attempts/);
    expect(doc!.cause).toMatch(/workflow/);
    expect(doc!.invalid).toMatchObject({ raw: { attempts: "many", workflow: 42, status: "queued" } });
    // It reads as a failed job again (fallbacks for the bad fields), so nothing chokes on it.
    expect(await fleet.getJob("acme", jobId)).toMatchObject({ status: "failed", attempts: 0 });
    expect((await usage.get(acme)).running).toBe(0);

    // The message was deleted, not left to be redelivered, and nothing went to the DLQ.
    expect(await fleet.rt.sqs.approximateDepth(fleet.rt.queues.work)).toMatchObject({
      visible: 0,
      inFlight: 0,
    });
    expect(await fleet.rt.sqs.receive(fleet.rt.queues.workDlq, { maxMessages: 10, waitSeconds: 0 })).toEqual(
      [],
    );

    // A duplicate message finds a failed job: a no-op, deleted.
    await fleet.sendWork("acme", jobId);
    expect(await worker.pollOnce(5)).toEqual([{ kind: "skipped", reason: "not_claimable" }]);
    await worker.stop(1_000);
  });

  it("does not stop a sweeper pass: the valid candidates are swept, the invalid ones reported", async () => {
    const now = Date.now();
    const valid: string[] = [];
    for (let i = 0; i < 3; i++) {
      const jobId = await fleet.submit("acme", "hello", { name: `n${i}` }, { send: false });
      expect((await fleet.rt.jobsOf(acme).claim(jobId, "dead-worker", 60_000, now)).ok).toBe(true);
      await rawJobs().updateOne({ _id: jobId as never }, { $set: { "lease.expiresAt": now - 1_000 } });
      valid.push(jobId);
    }
    // Two dead running jobs whose leases expired first: a malformed version (its tenant readable),
    // and a tenant id no store can scope to.
    const badVersion = await fleet.submit("acme", "hello", { name: "v" }, { send: false });
    await fleet.rt.jobsOf(acme).claim(badVersion, "dead-worker", 60_000, now);
    await rawJobs().updateOne(
      { _id: badVersion as never },
      { $set: { version: "seven", "lease.expiresAt": now - 5_000 } },
    );
    await rawJobs().insertOne({
      _id: "01BADTENANT000000000000000" as never,
      tenantId: "Not A Tenant!",
      status: "running",
      lease: null,
      version: 0,
    });

    const sweeper = fleet.sweeper();
    const report = await sweeper.tick(now);
    expect(report).toMatchObject({ expired: 3, invalid: 2, retired: 1, errors: 0 });
    for (const jobId of valid) {
      expect((await fleet.getJob("acme", jobId))!.status).toBe("queued");
    }
    const retired = await rawJob(badVersion);
    expect(retired).toMatchObject({ status: "failed", error: "Sluice.InvalidJobDocument", version: 1 });
    expect(retired!.invalid).toMatchObject({ raw: { version: "seven", status: "running" } });

    // The next pass: the retired job is gone from the candidates; the unscopable one is reported again.
    expect(await sweeper.tick(now)).toMatchObject({ expired: 0, invalid: 1, retired: 0, errors: 0 });
  });
});
