/**
 * One worker runs a job once at a time (issue 9 E and 10). Two work messages for one job land on the
 * same worker: a re-sent copy beside the first, or the sweeper's copy after the lease was taken away
 * while the first run was still going. Before the fix the second message "reclaimed" the job (its
 * lease owner was the same worker) and ran it a second time beside the first. Now the second message
 * waits for the first run to settle and is then handled like any message: a no-op that deletes it
 * when the job rests, the run that carries the job on when the first run could not.
 *
 * Messages are received here and handed to `worker.handle()`, so both land on the one worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { createWorker } from "../../workers/create-worker.ts";
import type { Worker } from "../../workers/worker.ts";
import {
  INVOCATIONS,
  PROOF_WORKFLOWS_DIR,
  RECORD_CHAIN,
  recordingSteps,
  type Invocation,
} from "./fixtures/record-steps.ts";
import { sleep } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

let fleet: TestFleet;
/** The messages' visibility here: a message not deleted would be seen again after it. */
const VISIBILITY_S = 2;

beforeAll(async () => {
  fleet = await createTestFleet("dups", {
    workflowsDir: PROOF_WORKFLOWS_DIR,
    steps: recordingSteps(() => fleet.rt.fleetDb, { tag: "unused" }),
    env: { SLUICE_LEASE_SECONDS: "30", SLUICE_VISIBILITY_TIMEOUT_SECONDS: String(VISIBILITY_S) },
  });
});
afterAll(() => fleet?.cleanup());

function worker(owner: string): Worker {
  const steps = recordingSteps(() => fleet.rt.fleetDb, { tag: owner, slow: { B: 1_500 } });
  return createWorker(fleet.rt, { catalog: fleet.catalog, steps, owner });
}

async function receiveOne(jobId: string): Promise<ReceivedMessage> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const got = await fleet.rt.sqs.receive(fleet.rt.queues.work, {
      maxMessages: 1,
      waitSeconds: 1,
      visibilityTimeout: VISIBILITY_S,
    });
    const m = got[0];
    if (m) {
      expect(JSON.parse(m.body)).toEqual({ tenantId: "acme", jobId });
      return m;
    }
  }
  throw new Error("no work message arrived");
}

const invocations = (jobId: string) =>
  fleet.rt.fleetDb.collection<Invocation>(INVOCATIONS).find({ jobId }).sort({ at: 1 }).toArray();
const claims = (job: JobDoc) => job.history.filter((e) => e.type === "claimed");

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Nothing is left on the work queue: every message was deleted (none reappears after its visibility). */
async function expectQueueDrained(): Promise<void> {
  await sleep(VISIBILITY_S * 1000 + 500);
  const left = await fleet.rt.sqs.receive(fleet.rt.queues.work, {
    maxMessages: 10,
    waitSeconds: 1,
    visibilityTimeout: 0,
  });
  expect(left.map((m) => m.body)).toEqual([]);
}

describe("two messages for one job on one worker", () => {
  it("the second waits for the first run and is then deleted as a no-op: every step ran once", async () => {
    const w = worker("solo");
    const jobId = await fleet.submit("acme", RECORD_CHAIN, {});
    const first = w.handle(await receiveOne(jobId));
    await until("step B to start", async () => (await invocations(jobId)).find((i) => i.state === "B"));

    await fleet.sendWork("acme", jobId); // the duplicate lands on the same worker while B runs
    const second = await w.handle(await receiveOne(jobId));
    expect(second.kind).toBe("deferred");

    expect(await first).toEqual({ kind: "finished", status: "complete" });
    await w.stop(2_000); // waits for the follower, which claims nothing and deletes its message
    const job = (await fleet.getJob("acme", jobId))!;
    expect(job.status).toBe("complete");
    expect(claims(job)).toHaveLength(1);
    expect((await invocations(jobId)).map((i) => i.state)).toEqual(["A", "B", "C"]);
    await expectQueueDrained();
  });

  it("when the first run lost its lease to the sweeper, the waiting message carries the job on, after it", async () => {
    const w = worker("same-owner");
    const jobId = await fleet.submit("acme", RECORD_CHAIN, {});
    const first = w.handle(await receiveOne(jobId));
    await until("step B to start", async () => (await invocations(jobId)).find((i) => i.state === "B"));

    // The lease runs out while B runs (built directly: backdated), the sweeper re-enqueues the job
    // and its new message lands on the same worker.
    const jobs = fleet.rt.fleetDb.collection<JobDoc>(COLLECTIONS.jobs);
    await jobs.updateOne({ _id: jobId }, { $set: { "lease.expiresAt": Date.now() - 1 } });
    expect((await fleet.sweeper().tick()).expired).toBe(1);
    const second = await w.handle(await receiveOne(jobId));
    expect(second.kind).toBe("deferred");

    // The first run finds the job moved on at its next write and stops; then the second runs it.
    expect(await first).toMatchObject({ kind: "lost" });
    await w.stop(5_000);
    const job = (await fleet.getJob("acme", jobId))!;
    expect(job.status).toBe("complete");
    const runs = claims(job).map((e) => (e.detail as { how: string }).how);
    expect(runs).toEqual(["fresh", "fresh"]);
    // B ran twice (the first run's result was lost with its lease), by runs one after the other.
    const calls = await invocations(jobId);
    expect(calls.map((i) => i.state)).toEqual(["A", "B", "B", "C"]);
    await expectQueueDrained();
  });
});
