/**
 * A job that is making progress keeps its lease and its message (issue 9 D).
 *
 * Before the fix the lease (and the message's visibility) were extended only from inside a step, on
 * a timer of a third of the lease but at least 1 s: a job of many steps shorter than that was never
 * extended, reached the end of its lease mid-run, and the sweeper re-enqueued it and ran its step in
 * flight a second time. Here the lease is 2 s and the job is twelve sequential steps of 400 ms (about
 * 5 s in all), with a sweeper ticking every 200 ms beside the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import {
  INVOCATIONS,
  PROOF_WORKFLOWS_DIR,
  recordingSteps,
  type Invocation,
} from "./fixtures/record-steps.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const STATES = Array.from({ length: 12 }, (_, i) => `S${String(i + 1).padStart(2, "0")}`);

let fleet: TestFleet;

beforeAll(async () => {
  fleet = await createTestFleet("lease", {
    workflowsDir: PROOF_WORKFLOWS_DIR,
    steps: recordingSteps(() => fleet.rt.fleetDb, { tag: "unused" }),
    env: {
      SLUICE_LEASE_SECONDS: "2",
      SLUICE_VISIBILITY_TIMEOUT_SECONDS: "2",
      SLUICE_SWEEPER_INTERVAL_MS: "200",
    },
  });
});
afterAll(() => fleet?.cleanup());

const eventsOf = (job: JobDoc, type: string) => job.history.filter((e) => e.type === type);

describe("a long job of short steps", () => {
  it("keeps its lease for its whole run: never reclaimed by the sweeper, no step run twice", async () => {
    const slow = Object.fromEntries(STATES.map((s) => [s, 400]));
    await fleet.startWorker({
      owner: "steady",
      steps: recordingSteps(() => fleet.rt.fleetDb, { tag: "steady", slow }),
    });
    const sweeper = fleet.sweeper();
    sweeper.start();

    const jobId = await fleet.submit("acme", "record-long-chain", {});
    const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete", 60_000);
    await sweeper.stop();

    expect(eventsOf(job, "lease_expired")).toEqual([]);
    expect(eventsOf(job, "claimed")).toHaveLength(1);
    expect(job.attempts).toBe(1);
    const calls = await fleet.rt.fleetDb.collection<Invocation>(INVOCATIONS).find({ jobId }).toArray();
    expect(calls.map((c) => c.state).sort()).toEqual(STATES);
    const trail = (job.output as unknown as { inline: { trail: { state: string }[] } }).inline.trail;
    expect(trail.map((t) => t.state)).toEqual(STATES);
  });
});
