import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFairFleet, type FairFleet } from "./helpers/fair-fleet.ts";
import { sleep } from "./helpers/env.ts";

/**
 * Caps hold at every sample while scheduler replicas join and leave: six tenants (caps 1-4), two
 * workers of 6 slots, 10 sleep jobs (300 ms) each. Replica A starts alone, B joins, A leaves
 * (SIGTERM-like stop: buffered messages returned, leases freed), C joins. Every 50 ms the running
 * jobs (MongoDB) and the usage counter of each tenant are sampled; none ever exceeds its cap, and
 * every job completes.
 */
const QUOTAS = {
  capa: { maxConcurrency: 1, weight: 1 },
  capb: { maxConcurrency: 2, weight: 1 },
  capc: { maxConcurrency: 2, weight: 2 },
  capd: { maxConcurrency: 3, weight: 2 },
  cape: { maxConcurrency: 3, weight: 4 },
  capf: { maxConcurrency: 4, weight: 4 },
} as const;
const JOBS = 10;
const SHARDS = { ownership: { leaseMs: 4_000, renewMs: 300 } };
let ff: FairFleet;

beforeAll(async () => {
  ff = await createFairFleet("shcaps", Object.keys(QUOTAS), 6);
  for (const [t, q] of Object.entries(QUOTAS)) await ff.setQuota(t, { ...q, minConcurrency: 0, rate: null });
}, 120_000);
afterAll(() => ff?.cleanup());

describe("scheduler replicas joining and leaving", () => {
  it("never run a tenant over its cap, and complete every job", async () => {
    await ff.startWorker();
    await ff.startWorker();
    const a = await ff.startScheduler(SHARDS);
    for (const t of Object.keys(QUOTAS)) await ff.sendJobs(t, JOBS, 300);
    const db = ff.fleet.rt.fleetDb;
    const usage = db.collection("usage");
    const total = JOBS * Object.keys(QUOTAS).length;
    const maxRunning: Record<string, number> = {};
    const maxCounter: Record<string, number> = {};
    const events: string[] = [];
    let samples = 0;
    const start = Date.now();
    let phase = 0;
    while (Date.now() - start < 90_000) {
      for (const t of Object.keys(QUOTAS)) {
        maxRunning[t] = Math.max(maxRunning[t] ?? 0, await ff.countJobs(t, { status: "running" }));
        const u = await usage.findOne({ tenantId: t });
        maxCounter[t] = Math.max(maxCounter[t] ?? 0, Number(u?.["running"] ?? 0));
      }
      samples += 1;
      const elapsed = Date.now() - start;
      if (phase === 0 && elapsed > 1_500) {
        await ff.startScheduler(SHARDS);
        events.push(`B joined at ${elapsed}`);
        phase = 1;
      } else if (phase === 1 && elapsed > 4_000) {
        await a.stop();
        events.push(`A left at ${elapsed}`);
        phase = 2;
      } else if (phase === 2 && elapsed > 6_000) {
        await ff.startScheduler(SHARDS);
        events.push(`C joined at ${elapsed}`);
        phase = 3;
      }
      if ((await db.collection("jobs").countDocuments({ status: "complete" })) === total && phase === 3)
        break;
      await sleep(50);
    }
    console.log(JSON.stringify({ samples, events, maxRunning, maxCounter }));
    expect(phase).toBe(3);
    expect(await db.collection("jobs").countDocuments({ status: "complete" })).toBe(total);
    expect(await db.collection("jobs").countDocuments({})).toBe(total);
    for (const [t, q] of Object.entries(QUOTAS)) {
      expect(maxRunning[t], `${t} running`).toBeLessThanOrEqual(q.maxConcurrency);
      expect(maxCounter[t], `${t} counter`).toBeLessThanOrEqual(q.maxConcurrency);
    }
  }, 180_000);
});
