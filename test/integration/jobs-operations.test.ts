/**
 * Operators' cancel and retry on the real local stack (scheduler/jobs/job-commands.ts over the job
 * store's named operations): cancel of a running job, of a job parked for review and of a job resting
 * on a Wait (each ends `cancelled`, recorded in history, its slot given back, never resumed), cancel
 * refused on a complete job, retry of a failed job from its checkpoint and from the start (completes,
 * holding a fresh slot), refused at the tenant's cap, and the `jobs` CLI end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { UsageLedger } from "../../shared/usage/ledger.ts";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { jobsCommand, jobCommandDeps } from "../../scheduler/cli/jobs.ts";
import {
  cancelJob,
  JobOperationRefusedError,
  retryJob,
  type JobCommandDeps,
} from "../../scheduler/jobs/job-commands.ts";
import { createReviews } from "../../workers/review.ts";
import { TEST_WORKFLOW_DIRS, testSteps } from "./fixtures/steps.ts";
import { FIXTURE_WORKFLOWS } from "./helpers/fair-fleet.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { createAuditLog, type AuditActor } from "../../shared/audit/audit-log.ts";

const ops: AuditActor = { kind: "os", subject: "ops" };
import { oneDbRouter } from "../support/one-db-router.ts";

const acme = tenantId("acme");
let fleet: TestFleet;
let deps: JobCommandDeps;
let usage: UsageStore;
let ledger: UsageLedger;
/** Sleep steps that have returned (a cancelled run's step still runs to its end). */
let sleepsDone = 0;

beforeAll(async () => {
  const steps = testSteps().register("sleep", async (input) => {
    await new Promise((r) => setTimeout(r, Number((input as { ms?: number }).ms ?? 0)));
    sleepsDone += 1;
    return { slept: true };
  });
  fleet = await createTestFleet("jobops", {
    workflowsDir: [...TEST_WORKFLOW_DIRS, FIXTURE_WORKFLOWS],
    steps,
  });
  deps = jobCommandDeps(fleet.rt);
  const db = fleet.rt.fleetDb;
  usage = new UsageStore(oneDbRouter(db), { now: Date.now, log: silentLogger() });
  ledger = new UsageLedger(oneDbRouter(db), usage, { now: Date.now, log: silentLogger() });
  await fleet.startWorker();
});
afterAll(() => fleet?.cleanup());

/** A job released the way the scheduler does it: a slot taken and recorded, then the job sent. */
async function released(workflow: string, input: unknown): Promise<string> {
  const jobId = await fleet.submit("acme", workflow, input);
  expect((await usage.tryAcquire(acme, 10)).ok).toBe(true);
  await ledger.recordAcquired(acme, jobId);
  return jobId;
}

const running = async () => (await usage.get(acme)).running;

describe("cancel", () => {
  it("a job resting on a Wait: cancelled, recorded, slot back, never woken", async () => {
    const before = await running();
    const jobId = await released("wait-long", {});
    const resting = await fleet.waitForJob("acme", jobId, (j) => j.status === "queued" && j.wakeAt !== null);
    expect(await running()).toBe(before + 1);
    const job = await cancelJob(deps, acme, jobId, ops, { by: "ops", reason: "not needed" });
    expect(job).toMatchObject({ status: "cancelled", wakeAt: null, lease: null });
    expect(job.history.at(-1)).toMatchObject({
      type: "cancelled",
      detail: { from: "queued", by: "ops", reason: "not needed" },
    });
    const [entry] = await createAuditLog(fleet.rt.fleetDb).list(acme, { limit: 1 });
    expect(entry).toMatchObject({
      actor: ops,
      action: "job.cancel",
      target: { jobId },
      before: { status: "queued" },
      after: { status: "cancelled", reason: "not needed" },
    });
    expect(await running()).toBe(before);
    // The sweeper, two hours later, and a worker given its work message leave it alone.
    await fleet.sweeper({ staleQueuedMs: 0 }).tick();
    const late = await fleet.startWorker({ now: () => Date.now() + 2 * 3_600_000 });
    await fleet.sendWork("acme", jobId);
    await fleet.stopWorker(late, 5_000);
    const after = (await fleet.getJob("acme", jobId))!;
    expect(after.status).toBe("cancelled");
    expect(after.history.filter((e) => e.type === "claimed")).toHaveLength(
      resting.history.filter((e) => e.type === "claimed").length,
    );
  });

  it("a job parked for review: cancelled, the review cleared, a decision refused", async () => {
    const before = await running();
    const jobId = await released("review-demo", { text: "Invoice 7: total 12 EUR" });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "needs_review");
    const job = await cancelJob(deps, acme, jobId, ops, { reason: "duplicate" });
    expect(job).toMatchObject({ status: "cancelled", review: null });
    expect(job.history.at(-1)).toMatchObject({ type: "cancelled", detail: { from: "needs_review" } });
    expect(await running()).toBe(before);
    await expect(
      createReviews(fleet.rt, fleet.catalog).approve(acme, jobId, {}, { actor: ops }),
    ).rejects.toThrow(/cancelled/);
    expect((await fleet.getJob("acme", jobId))!.status).toBe("cancelled");
  });

  it("a running job: the worker's next write loses and it stops without writing", async () => {
    const before = await running();
    const done = sleepsDone;
    const jobId = await released("sleep", { ms: 1500 });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "running");
    const job = await cancelJob(deps, acme, jobId, ops);
    expect(job.status).toBe("cancelled");
    expect(await running()).toBe(before);
    // Let the step end and the worker try its write.
    const deadline = Date.now() + 15_000;
    while (sleepsDone === done && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await fleet.stopWorkers(5_000);
    await fleet.startWorker();
    const after = (await fleet.getJob("acme", jobId))!;
    expect(sleepsDone).toBeGreaterThan(done);
    expect(after.status).toBe("cancelled");
    expect(after.version).toBe(job.version);
    expect(await running()).toBe(before); // the worker's settle of the lost run is a repeat
  });

  it("is refused on a complete job with a clear error", async () => {
    const jobId = await fleet.submit("acme", "sleep", { ms: 1 });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    const refusal = cancelJob(deps, acme, jobId, ops);
    await expect(refusal).rejects.toBeInstanceOf(JobOperationRefusedError);
    await expect(cancelJob(deps, acme, jobId, ops)).rejects.toThrow(
      `job ${jobId} of tenant acme is already complete`,
    );
    expect((await fleet.getJob("acme", jobId))!.status).toBe("complete");
  });
});

describe("retry", () => {
  it("from the checkpoint: resumes a failed job where it stopped, holding a fresh slot", async () => {
    const jobId = await fleet.submit("acme", "wait-short", { name: "Ada" });
    const resting = await fleet.waitForJob("acme", jobId, (j) => j.status === "queued" && j.wakeAt !== null);
    const store = fleet.rt.jobsOf(acme);
    const failed = await store.casUpdate(
      jobId,
      resting.version,
      { status: "failed", error: "Sluice.Poison", cause: "test" },
      Date.now(),
    );
    expect(failed.ok).toBe(true);
    const before = await running();
    const job = await retryJob(deps, acme, jobId, "checkpoint", ops, { by: "ops" });
    expect(job).toMatchObject({ status: "queued", error: null, cause: null });
    expect(job.execution).toEqual(resting.execution);
    expect(await running()).toBe(before + 1);
    const [entry] = await createAuditLog(fleet.rt.fleetDb).list(acme, { limit: 1 });
    expect(entry).toMatchObject({
      actor: ops,
      action: "job.retry",
      target: { jobId },
      before: { status: "failed" },
      after: { status: "queued", from: "checkpoint" },
    });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.history.find((e) => e.type === "retried")).toMatchObject({
      detail: { from: "checkpoint", previousStatus: "failed", hadCheckpoint: true, by: "ops" },
    });
  });

  it("from the start: a failed job runs its workflow again and completes", async () => {
    const jobId = await fleet.submit("acme", "review-demo", { text: "Invoice 9: total 5 EUR" });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "needs_review");
    const reviews = createReviews(fleet.rt, fleet.catalog);
    await reviews.reject(acme, jobId, "Review.Escalated", "needs a lawyer", { actor: ops });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "failed");
    const job = await retryJob(deps, acme, jobId, "start", ops);
    expect(job).toMatchObject({ status: "queued", execution: null, error: null });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "needs_review");
    await reviews.approve(acme, jobId, { label: "invoice" }, { actor: ops });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.history.find((e) => e.type === "retried")).toMatchObject({ detail: { from: "start" } });
  });

  it("is refused on a job that is not failed or cancelled, and at the tenant's cap", async () => {
    const jobId = await fleet.submit("acme", "sleep", { ms: 1 });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    await expect(retryJob(deps, acme, jobId, "start", ops)).rejects.toThrow(/only a failed or cancelled job/);
    const other = await fleet.submit("acme", "wait-long", {});
    await fleet.waitForJob("acme", other, (j) => j.status === "queued" && j.wakeAt !== null);
    await cancelJob(deps, acme, other, ops);
    const taken: number[] = [];
    while ((await usage.tryAcquire(acme, 10)).ok) taken.push(1);
    await expect(retryJob(deps, acme, other, "start", ops)).rejects.toThrow(/at its concurrency cap/);
    expect((await fleet.getJob("acme", other))!.status).toBe("cancelled");
    for (const _ of taken) await usage.release(acme);
  });
});

describe("jobs CLI", () => {
  it("cancels and retries end to end; refusals exit 1, bad arguments 2", async () => {
    const jobId = await fleet.submit("acme", "wait-long", {});
    await fleet.waitForJob("acme", jobId, (j) => j.status === "queued" && j.wakeAt !== null);
    const saved = { ...process.env };
    Object.assign(
      process.env,
      { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", LOG_LEVEL: "silent" },
      fleet.env,
    );
    try {
      expect(await jobsCommand(["cancel", "acme", jobId, "--reason", "cli test"])).toBe(0);
      expect((await fleet.getJob("acme", jobId))!.history.at(-1)).toMatchObject({
        type: "cancelled",
        detail: { reason: "cli test" },
      });
      expect(await jobsCommand(["cancel", "acme", jobId])).toBe(1);
      expect(await jobsCommand(["retry", "acme", jobId])).toBe(2);
      expect(await jobsCommand(["retry", "acme", jobId, "--from", "start"])).toBe(0);
      await fleet.waitForJob("acme", jobId, (j) => j.status === "queued" && j.wakeAt !== null);
      expect(await jobsCommand(["cancel", "acme", jobId])).toBe(0);
      expect(await jobsCommand(["--help"])).toBe(0);
      expect(await jobsCommand(["frobnicate", "acme", jobId])).toBe(2);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
