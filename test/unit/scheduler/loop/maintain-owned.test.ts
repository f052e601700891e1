import { describe, expect, it } from "vitest";
import type { TenantId } from "../../../../shared/tenancy/tenant-id.ts";
import { loopHarness } from "./harness.ts";

/** A replica that owns `owned` (ADR 0024), without a lease store behind it. */
function ownershipOf(owned: readonly string[]) {
  const set = new Set<string>(owned);
  return {
    syncIfDue: async () => undefined,
    owns: (t: TenantId) => set.has(t),
    budget: (input: { free: number }) => input.free,
    publishClaims: () => undefined,
    peerClaims: () => new Map(),
    releaseAll: async () => undefined,
    options: { leaseMs: 10_000, renewMs: 1_000, marginMs: 2_500, deadReplicaRetentionMs: 600_000 },
  };
}

describe("FairScheduler.maintain with several replicas", () => {
  it("reconciles the running counts of the tenants this replica owns only (every replica used to reconcile every tenant)", async () => {
    const w = await loopHarness(
      ["ta", "tb", "tc"],
      { quietReconcileMs: 0 }, // every tenant every round: this test is about which tenants
      { ownership: ownershipOf(["ta", "tc"]) },
    );
    for (const t of ["ta", "tb", "tc"]) w.setQuota(t);
    await w.scheduler.maintain();
    expect(w.calls.reconciled).toEqual([["ta", "tc"]]);
  });

  it("reconciles every tenant with a quota when it runs alone (no ownership)", async () => {
    const w = await loopHarness(["ta", "tb"], { quietReconcileMs: 0 });
    for (const t of ["ta", "tb"]) w.setQuota(t);
    await w.scheduler.maintain();
    expect(w.calls.reconciled).toEqual([["ta", "tb"]]);
  });

  it("reconciles hot tenants every round and quiet ones in a rotation that covers each within quietReconcileMs", async () => {
    const tenants = ["ta", "tb", "tc", "td", "te", "tf"];
    const w = await loopHarness(tenants, { maintenanceIntervalMs: 5_000, quietReconcileMs: 15_000 });
    for (const t of tenants) w.setQuota(t);
    await w.send("ta", "{}"); // backlog (or, once released, running): hot
    const rounds: string[][] = [];
    for (let i = 0; i < 3; i++) {
      await w.scheduler.tick(); // releases ta's message, then reads its running count
      await w.scheduler.maintain();
      rounds.push(w.calls.reconciled.at(-1) ?? []);
    }
    // ta is hot in every round; the five quiet tenants two per round (ceil 5/3).
    for (const r of rounds) expect(r[0]).toBe("ta");
    expect(rounds.map((r) => r.length)).toEqual([3, 3, 3]);
    const quiet = rounds.flatMap((r) => r.slice(1));
    expect(new Set(quiet)).toEqual(new Set(["tb", "tc", "td", "te", "tf"]));
  });
});
