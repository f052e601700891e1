import { describe, expect, it } from "vitest";
import type { TenantId } from "../../../../shared/tenancy/tenant-id.ts";
import { loopHarness } from "./harness.ts";

/** A replica that owns `owned` (ADR 0024), without a lease store behind it. */
function ownershipOf(owned: readonly string[]) {
  const set = new Set<string>(owned);
  return {
    syncIfDue: async () => undefined,
    owns: (t: TenantId) => set.has(t),
    budget: (free: number) => free,
    releaseAll: async () => undefined,
    options: { leaseMs: 10_000, renewMs: 1_000, marginMs: 2_500, deadReplicaRetentionMs: 600_000 },
  };
}

describe("FairScheduler.maintain with several replicas", () => {
  it("reconciles the running counts of the tenants this replica owns only (every replica used to reconcile every tenant)", async () => {
    const w = await loopHarness(["ta", "tb", "tc"], {}, { ownership: ownershipOf(["ta", "tc"]) });
    for (const t of ["ta", "tb", "tc"]) w.setQuota(t);
    await w.scheduler.maintain();
    expect(w.calls.reconciled).toEqual([["ta", "tc"]]);
  });

  it("reconciles every tenant with a quota when it runs alone (no ownership)", async () => {
    const w = await loopHarness(["ta", "tb"]);
    for (const t of ["ta", "tb"]) w.setQuota(t);
    await w.scheduler.maintain();
    expect(w.calls.reconciled).toEqual([["ta", "tb"]]);
  });
});
