import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFairFleet, type FairFleet } from "./helpers/fair-fleet.ts";
import { sleep } from "./helpers/env.ts";

/**
 * The release lead against the local stack: one worker with 4 slots that prefetches 1 (its default,
 * reported in its heartbeat), so the default lead is 1 + ceil(4/4) = 2; two tenants whose caps
 * (4 + 4) exceed slots + lead, 10 sleep jobs each (300 ms). Sampled every 25 ms in
 * MongoDB: no tenant runs (or holds a counter) over its cap; released-not-rested work never exceeds
 * slots + lead; the lead is used (a job waits on the work queue while every slot is busy); every job
 * completes and every counter returns to 0.
 */
const SLOTS = 4;
const LEAD = 2;
const CAP = 4;
const JOBS = 10;
const TENANTS = ["alpha", "bravo"];
let ff: FairFleet;

beforeAll(async () => {
  ff = await createFairFleet("sched-lead", TENANTS, SLOTS);
  for (const t of TENANTS)
    await ff.setQuota(t, { maxConcurrency: CAP, weight: 1, minConcurrency: 0, rate: null });
});
afterAll(() => ff?.cleanup());

describe("release lead", () => {
  it("keeps slots + lead released, never a tenant over its cap", async () => {
    await ff.startWorker();
    const scheduler = await ff.startScheduler();
    for (const t of TENANTS) await ff.sendJobs(t, JOBS, 300);

    const db = ff.fleet.rt.fleetDb;
    const usage = db.collection("usage");
    const maxRunning: Record<string, number> = { alpha: 0, bravo: 0 };
    const maxCounter: Record<string, number> = { alpha: 0, bravo: 0 };
    let maxCommitted = 0;
    let samples = 0;
    const total = JOBS * TENANTS.length;
    const start = Date.now();
    while (Date.now() - start < 60_000) {
      let committed = 0;
      for (const t of TENANTS) {
        maxRunning[t] = Math.max(maxRunning[t]!, await ff.countJobs(t, { status: "running" }));
        const counter = Number((await usage.findOne({ tenantId: t }))?.["running"] ?? 0);
        maxCounter[t] = Math.max(maxCounter[t]!, counter);
        committed += counter;
      }
      maxCommitted = Math.max(maxCommitted, committed);
      samples += 1;
      if ((await db.collection("jobs").countDocuments({ status: "complete" })) === total) break;
      await sleep(25);
    }
    const ticks = scheduler.metrics.tickStats();
    console.log(
      JSON.stringify({ samples, elapsed: Date.now() - start, maxRunning, maxCounter, maxCommitted, ticks }),
    );

    expect(await db.collection("jobs").countDocuments({ status: "complete" })).toBe(total);
    for (const t of TENANTS) {
      expect(maxRunning[t], `${t} running`).toBeLessThanOrEqual(CAP);
      expect(maxCounter[t], `${t} counter`).toBeLessThanOrEqual(CAP);
    }
    expect(maxCommitted).toBeLessThanOrEqual(SLOTS + LEAD);
    expect(maxCommitted, "the lead was used").toBe(SLOTS + LEAD);
    await sleep(1_000);
    expect((await usage.find({}).toArray()).every((u) => u["running"] === 0)).toBe(true);
  });
});
