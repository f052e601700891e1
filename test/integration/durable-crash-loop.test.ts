/**
 * Crash loops end (issue 9 bug 5). A job that kills its worker every time used to loop forever: the
 * sweeper re-enqueued it after every crash with a fresh message (a fresh receive count), and nothing
 * counted the runs. Now every claim counts one more attempt without progress on the job document, a
 * run's first write resets it, and at SLUICE_JOB_MAX_ATTEMPTS the sweeper (or the next claim) fails
 * the job with `Sluice.Poison` and the reason instead of running it again.
 *
 * The dead state is built directly (a backdated lease, the counter at the limit) and the sweeper's
 * `tick()` is called, as for every crash path.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { POISON_ERROR } from "../../workers/worker.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const acme = tenantId("acme");
const LIMIT = 3;
let fleet: TestFleet;

beforeAll(async () => {
  fleet = await createTestFleet("crashloop", { env: { SLUICE_JOB_MAX_ATTEMPTS: String(LIMIT) } });
});
afterAll(() => fleet?.cleanup());

const jobs = () => fleet.rt.fleetDb.collection<JobDoc>(COLLECTIONS.jobs);

/** A job whose last run died holding the lease: `runs` runs in a row without progress so far. */
async function deadJob(runs: number, now: number): Promise<string> {
  const jobId = await fleet.submit("acme", "hello", { name: "Ada" }, { send: false });
  await jobs().updateOne(
    { _id: jobId },
    {
      $set: {
        status: "running",
        lease: { owner: "killed-worker", expiresAt: now - 1 },
        startedAt: now - 60_000,
        attempts: runs,
        attemptsWithoutProgress: runs,
      },
    },
  );
  return jobId;
}

async function workMessagesFor(jobId: string): Promise<number> {
  const got = await fleet.rt.sqs.receive(fleet.rt.queues.work, {
    maxMessages: 10,
    waitSeconds: 1,
    visibilityTimeout: 0,
  });
  return got.filter((m) => m.body.includes(jobId)).length;
}

describe("a job that kills its worker every time", () => {
  it("is failed with Sluice.Poison by the sweeper once its last allowed run died, and not re-sent", async () => {
    const now = Date.now();
    const jobId = await deadJob(LIMIT, now);
    const report = await fleet.sweeper().tick(now);
    expect(report).toMatchObject({ poisoned: 1, expired: 0, errors: 0 });

    const job = (await fleet.getJob("acme", jobId))!;
    expect(job).toMatchObject({ status: "failed", error: POISON_ERROR, lease: null, finishedAt: now });
    expect(job.cause).toMatch(/last 3 runs each ended without progress \(attempt limit 3/);
    expect(job.history.at(-1)).toMatchObject({ type: "poison", detail: { attemptsWithoutProgress: 3 } });
    expect(await workMessagesFor(jobId)).toBe(0);
  });

  it("counts across sweeps and claims: re-driven below the limit, failed when the next run dies too", async () => {
    const now = Date.now();
    const jobId = await deadJob(LIMIT - 1, now);
    expect(await fleet.sweeper().tick(now)).toMatchObject({ expired: 1, poisoned: 0 });
    expect(await fleet.getJob("acme", jobId)).toMatchObject({ status: "queued" });

    // Another worker claims it (one more attempt without progress) and dies before any write.
    const store = fleet.rt.jobsOf(acme);
    const claim = await store.claim(jobId, "next-victim", 1_000, now + 1, LIMIT);
    expect(claim).toMatchObject({ ok: true, job: { attemptsWithoutProgress: LIMIT } });
    expect(await fleet.sweeper().tick(now + 2_000)).toMatchObject({ poisoned: 1, expired: 0 });
    expect(await fleet.getJob("acme", jobId)).toMatchObject({ status: "failed", error: POISON_ERROR });
  });

  it("is failed by the claim when a message still reaches it at the limit; the worker lives on", async () => {
    const worker = await fleet.startWorker();
    const jobId = await fleet.submit("acme", "hello", { name: "Ada" }, { send: false });
    await jobs().updateOne({ _id: jobId }, { $set: { attempts: LIMIT, attemptsWithoutProgress: LIMIT } });
    await fleet.sendWork("acme", jobId);
    const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "failed");
    expect(job.error).toBe(POISON_ERROR);
    expect(job.attempts).toBe(LIMIT); // not run again

    // The same worker goes on running healthy jobs; a run's progress resets the count.
    const ok = await fleet.submit("acme", "hello", { name: "Ada" });
    const done = await fleet.waitForJob("acme", ok, (j) => j.status === "complete");
    expect(done.attemptsWithoutProgress).toBe(0);
    await fleet.stopWorker(worker);
  });
});
