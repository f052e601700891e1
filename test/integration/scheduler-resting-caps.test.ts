import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import type { ReconcileResult } from "../../shared/usage/usage-store.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { createFairFleet, waitUntil, type FairFleet } from "./helpers/fair-fleet.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { sleep } from "./helpers/env.ts";

/**
 * Caps are hard for jobs resting on a Wait (issue 9, bug 4), on the real stack: one fair scheduler
 * and two workers (4 slots each) running `wait-sleep` (a Wait of `input.wait` seconds, then a sleep
 * Task of `input.ms`).
 * - A user's report: 20 jobs of a 3 s Wait then a Task under cap 2. Sampled every 50 ms: the tenant's
 *   unfinished jobs (released, running or resting) never exceed the cap, the running counter never
 *   exceeds it either, and a reconcile never finds the counter undercounted.
 * - 2 s Wait then a 3 s step under cap 2: at most 2 steps of the tenant ever run at once.
 * - 120 jobs of one tenant resting on a 10-minute Wait (their delayed work messages fill the work
 *   queue past its depth guard): another tenant's jobs are still released and complete.
 */
const QUOTAS = {
  waiter: { maxConcurrency: 2, weight: 1 },
  stepper: { maxConcurrency: 2, weight: 1 },
  sleepy: { maxConcurrency: 200, weight: 1 },
  busy: { maxConcurrency: 5, weight: 1 },
} as const;
const UNFINISHED = { status: { $in: ["queued", "running", "needs_review"] } };
let ff: FairFleet;
let usage: UsageStore;

beforeAll(async () => {
  ff = await createFairFleet("sched-rest", Object.keys(QUOTAS), 4);
  for (const [t, q] of Object.entries(QUOTAS)) await ff.setQuota(t, { ...q, minConcurrency: 0, rate: null });
  usage = new UsageStore(ff.fleet.rt.router, { now: Date.now, log: silentLogger() });
  await ff.startWorker();
  await ff.startWorker();
  await ff.startScheduler();
});
afterAll(() => ff?.cleanup());

interface Samples {
  maxUnfinished: number;
  maxCounter: number;
  undercounted: ReconcileResult[];
  samples: number;
}

/** Samples the tenant until all `total` jobs completed (or `timeoutMs`). */
async function sampleUntilDone(tenant: string, total: number, timeoutMs: number): Promise<Samples> {
  const out: Samples = { maxUnfinished: 0, maxCounter: 0, undercounted: [], samples: 0 };
  const t = tenantId(tenant);
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    out.maxUnfinished = Math.max(out.maxUnfinished, await ff.countJobs(tenant, UNFINISHED));
    out.maxCounter = Math.max(out.maxCounter, (await usage.get(t)).running);
    const r = await usage.reconcile(t);
    if (r.kind === "corrected" && r.why === "undercounted") out.undercounted.push(r);
    out.samples += 1;
    if ((await ff.countJobs(tenant, { status: "complete" })) === total) return out;
    await sleep(50);
  }
  throw new Error(`${tenant}: not all ${total} jobs completed in ${timeoutMs} ms: ${JSON.stringify(out)}`);
}

describe("jobs resting on a Wait hold their tenant's slot", () => {
  it("20 jobs of a 3 s Wait then a Task under cap 2: never more than 2 in flight, never undercounted", async () => {
    await ff.sendInputs(
      "waiter",
      "wait-sleep",
      Array.from({ length: 20 }, () => ({ wait: 3, ms: 100 })),
    );
    const s = await sampleUntilDone("waiter", 20, 120_000);
    console.log(JSON.stringify({ waiter: s }));
    expect(s.maxUnfinished).toBeLessThanOrEqual(2);
    expect(s.maxCounter).toBeLessThanOrEqual(2);
    expect(s.undercounted).toEqual([]);
    expect(ff.steps.peak.get("waiter")).toBeLessThanOrEqual(2);
    await waitUntil(async () => (await usage.get(tenantId("waiter"))).running === 0, 5_000, "slots back");
  }, 180_000);

  it("a 2 s Wait then a 3 s step under cap 2: never more than 2 steps at once", async () => {
    await ff.sendInputs(
      "stepper",
      "wait-sleep",
      Array.from({ length: 8 }, () => ({ wait: 2, ms: 3_000 })),
    );
    const s = await sampleUntilDone("stepper", 8, 120_000);
    console.log(JSON.stringify({ stepper: s, peak: ff.steps.peak.get("stepper") }));
    expect(ff.steps.peak.get("stepper")).toBeLessThanOrEqual(2);
    expect(s.maxUnfinished).toBeLessThanOrEqual(2);
    expect(s.undercounted).toEqual([]);
  }, 180_000);

  it("120 jobs resting on a 10-minute Wait do not stop another tenant's releases", async () => {
    await ff.sendInputs(
      "sleepy",
      "wait-sleep",
      Array.from({ length: 120 }, () => ({ wait: 600, ms: 10 })),
    );
    await waitUntil(
      async () => (await ff.countJobs("sleepy", { status: "queued", wakeAt: { $gt: Date.now() } })) >= 100,
      60_000,
      "100 sleepy jobs resting",
    );
    await ff.sendJobs("busy", 5, 50);
    await waitUntil(
      async () => (await ff.countJobs("busy", { status: "complete" })) === 5,
      30_000,
      "busy's jobs to complete",
    );
    // Once all have been released and rest, each holds its slot (and needs no worker).
    await waitUntil(
      async () => (await ff.countJobs("sleepy", { status: "queued", wakeAt: { $gt: Date.now() } })) === 120,
      60_000,
      "all 120 sleepy jobs resting",
    );
    expect((await usage.get(tenantId("sleepy"))).running).toBe(120);
  }, 180_000);
});
