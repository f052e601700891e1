import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClaimDoc, ClaimStore } from "../../../scheduler/shards/claim-store.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

export interface ClaimStoreTarget {
  readonly store: ClaimStore;
  close?(): Promise<void>;
}

const doc = (replicaId: string, at: number, claims: ClaimDoc["claims"]): ClaimDoc => ({
  replicaId,
  at,
  expiresAt: at + 5_000,
  claims,
});

/**
 * What the slot division needs of a `ClaimStore` (ADR 0029), run against the in-memory store the
 * unit tests use and against the MongoDB adapter, so the fake cannot drift from the real thing.
 */
export function claimStoreConformanceSuite(
  label: string,
  makeTarget: () => Promise<ClaimStoreTarget> | ClaimStoreTarget,
): void {
  describe(`ClaimStore conformance: ${label}`, () => {
    let target: ClaimStoreTarget;
    beforeAll(async () => {
      target = await makeTarget();
    });
    afterAll(() => target?.close?.());

    it("reads back what was published, a claim's basis kept and an absent basis left absent", async () => {
      const { store } = target;
      await store.publish(
        doc("r1", 1_000, [
          { tenant: tenantId("t-deep"), claim: 16 },
          { tenant: tenantId("t-shallow"), claim: 2, basis: 41 },
        ]),
      );
      const read = (await store.read()).filter((d) => d.replicaId === "r1");
      expect(read).toEqual([
        doc("r1", 1_000, [
          { tenant: tenantId("t-deep"), claim: 16 },
          { tenant: tenantId("t-shallow"), claim: 2, basis: 41 },
        ]),
      ]);
      expect("basis" in read[0]!.claims[0]!).toBe(false);
    });

    it("replaces a replica's document whole at each publication, one per replica", async () => {
      const { store } = target;
      await store.publish(doc("r2", 1_000, [{ tenant: tenantId("t-a"), claim: 3, basis: 7 }]));
      await store.publish(doc("r2", 1_100, [{ tenant: tenantId("t-b"), claim: 1 }]));
      const mine = (await store.read()).filter((d) => d.replicaId === "r2");
      expect(mine).toEqual([doc("r2", 1_100, [{ tenant: tenantId("t-b"), claim: 1 }])]);
    });

    it("removes a replica's document, and prunes only documents that expired before the bound", async () => {
      const { store } = target;
      await store.publish(doc("r3", 10_000, []));
      await store.publish(doc("r4", 20_000, []));
      await store.remove("r3");
      expect((await store.read()).map((d) => d.replicaId)).not.toContain("r3");
      // r1 and r2 (above) expired at 6,000 and 6,100; r4 expires at 25,000.
      expect(await store.prune(20_000)).toBe(2);
      expect((await store.read()).map((d) => d.replicaId)).toEqual(["r4"]);
      expect(await store.prune(25_000)).toBe(0);
      expect(await store.prune(25_001)).toBe(1);
      expect(await store.read()).toEqual([]);
    });
  });
}
