import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FairScheduler } from "../../scheduler/loop/fair-scheduler.ts";
import { createFairFleet, waitUntil, type FairFleet } from "./helpers/fair-fleet.ts";
import { sleep } from "./helpers/env.ts";

/**
 * Two fair schedulers (separate runtimes and clients) and two workers (6 slots each) over three
 * tenants with caps 2/3/5 and weights 1/2/4: 12 sleep jobs each (400 ms). Running jobs per tenant are
 * sampled in MongoDB every 50 ms: no sample exceeds a cap, and every job completes.
 */
const QUOTAS = {
  alpha: { maxConcurrency: 2, weight: 1 },
  bravo: { maxConcurrency: 3, weight: 2 },
  charlie: { maxConcurrency: 5, weight: 4 },
} as const;
const JOBS = 12;
let ff: FairFleet;

beforeAll(async () => {
  ff = await createFairFleet("sched-caps", Object.keys(QUOTAS), 6);
  for (const [t, q] of Object.entries(QUOTAS)) await ff.setQuota(t, { ...q, minConcurrency: 0, rate: null });
});
afterAll(() => ff?.cleanup());

describe("two fair schedulers and two workers", () => {
  it("never run a tenant over its cap, and complete every job", async () => {
    await ff.startWorker();
    await ff.startWorker();
    const schedulers: FairScheduler[] = [await ff.startScheduler(), await ff.startScheduler()];
    for (const t of Object.keys(QUOTAS)) await ff.sendJobs(t, JOBS, 400);

    const max: Record<string, number> = { alpha: 0, bravo: 0, charlie: 0 };
    const maxCounter: Record<string, number> = { alpha: 0, bravo: 0, charlie: 0 };
    let samples = 0;
    const usage = ff.fleet.rt.fleetDb.collection("usage");
    const total = JOBS * Object.keys(QUOTAS).length;
    const start = Date.now();
    while (Date.now() - start < 60_000) {
      for (const t of Object.keys(QUOTAS)) {
        max[t] = Math.max(max[t]!, await ff.countJobs(t, { status: "running" }));
        const counter = await usage.findOne({ tenantId: t });
        maxCounter[t] = Math.max(maxCounter[t]!, Number(counter?.["running"] ?? 0));
      }
      samples += 1;
      const done = await ff.fleet.rt.fleetDb.collection("jobs").countDocuments({ status: "complete" });
      if (done === total) break;
      await sleep(50);
    }
    const elapsed = Date.now() - start;
    const complete = await ff.fleet.rt.fleetDb.collection("jobs").countDocuments({ status: "complete" });
    const perScheduler = schedulers.map((s) =>
      Object.fromEntries(Object.entries(s.metrics.snapshot()).map(([t, m]) => [t, m.released])),
    );
    console.log(JSON.stringify({ samples, elapsed, maxRunning: max, maxCounter, perScheduler }));

    expect(complete).toBe(total);
    for (const [t, q] of Object.entries(QUOTAS)) {
      expect(max[t], `${t} running`).toBeLessThanOrEqual(q.maxConcurrency);
      expect(maxCounter[t], `${t} counter`).toBeLessThanOrEqual(q.maxConcurrency);
      // The cap was binding (the counter also holds released jobs not yet claimed, so it sees it first).
      expect(maxCounter[t], `${t} reached its cap`).toBe(q.maxConcurrency);
    }
    // Both replicas took part in releasing.
    for (const p of perScheduler) expect(Object.values(p).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // Every slot came back once all jobs rested (exactly-once give-back).
    await waitUntil(
      async () => (await usage.find({}).toArray()).every((u) => u["running"] === 0),
      5_000,
      "counters at 0",
    );
  });
});
