import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { selectForReconcile } from "../../../../scheduler/loop/reconcile-selection.ts";
import { tenantId, type TenantId } from "../../../../shared/tenancy/tenant-id.ts";

const ids = (n: number) => Array.from({ length: n }, (_, i) => tenantId(`t-${String(i).padStart(4, "0")}`));

describe("selectForReconcile", () => {
  it("takes every hot tenant every round and a slice of the quiet ones", () => {
    const tenants = ids(25);
    const hot = new Set<TenantId>([tenants[3]!, tenants[17]!]);
    const r = selectForReconcile({
      tenants,
      hot: (t) => hot.has(t),
      cursor: undefined,
      intervalMs: 5_000,
      quietEveryMs: 60_000,
    });
    expect(r.tenants.slice(0, 2)).toEqual([tenants[3], tenants[17]]);
    expect(r.tenants).toHaveLength(2 + 2); // ceil(23 / 12) quiet tenants
    expect(r.hot).toBe(2);
    expect(r.quiet).toBe(23);
  });

  it("takes every tenant when quietEveryMs is not above the period", () => {
    const tenants = ids(5);
    const r = selectForReconcile({
      tenants,
      hot: () => false,
      cursor: undefined,
      intervalMs: 5_000,
      quietEveryMs: 5_000,
    });
    expect(r.tenants).toEqual(tenants);
  });

  it("property: every quiet tenant is reconciled within quietEveryMs / intervalMs rounds, even as tenants come and go", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 2, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 299 }), { maxLength: 30 }),
        (n, rounds, churn) => {
          const all = ids(n + 40);
          let tenants = all.slice(0, n);
          const lastSeen = new Map<TenantId, number>();
          let cursor: TenantId | undefined;
          for (let round = 0; round < rounds * 3; round++) {
            // Tenants come and go between rounds; the ones that stay must still be covered.
            const c = churn[round % Math.max(1, churn.length)];
            if (c !== undefined && round % 2 === 1)
              tenants = [...tenants, all[n + (c % 40)]!].filter((t, i, a) => a.indexOf(t) === i);
            const r = selectForReconcile({
              tenants,
              hot: () => false,
              cursor,
              intervalMs: 1,
              quietEveryMs: rounds,
            });
            cursor = r.cursor;
            for (const t of r.tenants) lastSeen.set(t, round);
            if (round >= rounds)
              for (const t of all.slice(0, n))
                expect(round - (lastSeen.get(t) ?? -1)).toBeLessThanOrEqual(rounds);
          }
        },
      ),
    );
  });
});
