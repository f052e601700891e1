/**
 * Prefetch against the real local stack: a worker with one slot and `SLUICE_WORKER_PREFETCH=2`
 * holds work messages for its slot while sleep jobs turn it over, without claiming their jobs (never
 * more than one job running), and at stop() makes what it holds visible again at once: a second
 * worker finishes every job long before the 30 s visibility timeout would have let it, each job
 * claimed exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { sleep } from "./helpers/env.ts";
import { FIXTURE_WORKFLOWS, sleepSteps } from "./helpers/fair-fleet.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

let fleet: TestFleet;

beforeAll(async () => {
  fleet = await createTestFleet("prefetch", {
    workflowsDir: FIXTURE_WORKFLOWS,
    steps: sleepSteps(),
    env: {
      SLUICE_WORKER_CONCURRENCY: "1",
      SLUICE_WORKER_PREFETCH: "2",
      SLUICE_VISIBILITY_TIMEOUT_SECONDS: "30",
    },
  });
});
afterAll(() => fleet?.cleanup());

describe("worker prefetch", () => {
  it("holds messages without claiming their jobs, and gives them back at stop()", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await fleet.submit("acme", "sleep", { ms: 150 }));
    const jobs = fleet.rt.fleetDb.collection<JobDoc>(COLLECTIONS.jobs);

    const first = await fleet.startWorker({ owner: "prefetcher" });
    let sawHeld = 0;
    let maxRunning = 0;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const held = first.held;
      const running = await jobs.countDocuments({ _id: { $in: ids }, status: "running" });
      maxRunning = Math.max(maxRunning, running);
      if (held > 0) sawHeld += 1;
      if (held > 0 && sawHeld >= 3) break;
      await sleep(20);
    }
    expect(sawHeld).toBeGreaterThanOrEqual(3);
    const t0 = Date.now();
    await fleet.stopWorker(first, 5_000);
    expect(first.held).toBe(0);
    expect(maxRunning).toBeLessThanOrEqual(1); // held jobs are not claimed

    await fleet.startWorker({ owner: "second" });
    for (const id of ids) await fleet.waitForJob("acme", id, (j) => j.status === "complete", 15_000);
    expect(Date.now() - t0).toBeLessThan(15_000); // held messages were not left to their timeout
    const docs = await jobs.find({ _id: { $in: ids } }).toArray();
    expect(docs.map((d) => d.attempts)).toEqual(ids.map(() => 1));
  }, 60_000);
});
