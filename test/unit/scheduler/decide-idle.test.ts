import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide } from "../../../scheduler/fairshare/decide.ts";
import type { TenantSnapshot } from "../../../scheduler/fairshare/decide.ts";
import { initialFairShareState } from "../../../scheduler/fairshare/state.ts";
import type { FairShareState } from "../../../scheduler/fairshare/state.ts";
import type { Quota } from "../../../scheduler/quota/schema.ts";
import type { TenantId } from "../../../shared/tenancy/tenant-id.ts";
import { quota, tenantName, tid } from "./helpers.ts";

const quotaFields = fc
  .record({
    weight: fc.double({ min: 0.1, max: 100, noNaN: true }),
    maxConcurrency: fc.integer({ min: 0, max: 6 }),
    minConcurrency: fc.integer({ min: 0, max: 2 }),
    status: fc.constantFrom("active", "active", "active", "paused"),
    rate: fc.option(
      fc.record({
        perSecond: fc.double({ min: 0.5, max: 50, noNaN: true }),
        burst: fc.integer({ min: 1, max: 4 }),
      }),
    ),
    bypassAging: fc.boolean(),
  })
  .map(({ minConcurrency, maxConcurrency, bypassAging: _, ...rest }) => ({
    ...rest,
    maxConcurrency,
    minConcurrency: Math.min(minConcurrency, maxConcurrency),
  }));

/** One round: each tenant's backlog (0 = idle this round) and running count. */
const roundArb = (n: number) =>
  fc.record({
    freeSlots: fc.nat(12),
    advanceMs: fc.nat(2_000),
    tenants: fc.array(
      fc.record({
        high: fc.nat(2),
        normal: fc.oneof(fc.constant(0), fc.nat(6)),
        low: fc.nat(2),
        running: fc.nat(6),
      }),
      { minLength: n, maxLength: n },
    ),
  });

describe("decide: a large idle population changes nothing", () => {
  it("passing only backlogged tenants (+ retained quotas) gives the same releases, wake-ups and state", () => {
    fc.assert(
      fc.property(
        fc.array(quotaFields, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 300 }),
        fc.array(roundArb(8), { minLength: 1, maxLength: 6 }),
        (quotas, idleCount, rounds) => {
          const named: [TenantId, Quota][] = quotas.map((q, i) => [
            tid(tenantName(i)),
            quota(tenantName(i), q),
          ]);
          const idle: [TenantId, Quota][] = Array.from({ length: idleCount }, (_, i) => [
            tid(`idle-${i}`),
            quota(`idle-${i}`, { weight: 1 + (i % 5), maxConcurrency: 4 }),
          ]);
          const retained = new Map<TenantId, Quota>([...named, ...idle]);
          let full: FairShareState = initialFairShareState();
          let lean: FairShareState = initialFairShareState();
          let now = 1_000_000;
          for (const round of rounds) {
            now += round.advanceMs;
            const snapshots: TenantSnapshot[] = named.map(([tenantId, q], i) => {
              const r = round.tenants[i] ?? { high: 0, normal: 0, low: 0, running: 0 };
              return {
                tenantId,
                quota: q,
                backlog: { high: r.high, normal: r.normal, low: r.low },
                running: r.running,
              };
            });
            const idleSnapshots: TenantSnapshot[] = idle.map(([tenantId, q]) => ({
              tenantId,
              quota: q,
              backlog: { high: 0, normal: 0, low: 0 },
              running: 0,
            }));
            const a = decide(full, {
              now,
              freeSlots: round.freeSlots,
              tenants: [...snapshots, ...idleSnapshots],
            });
            const b = decide(lean, {
              now,
              freeSlots: round.freeSlots,
              tenants: snapshots.filter((s) => s.backlog.high + s.backlog.normal + s.backlog.low > 0),
              retained,
            });
            expect(b.releases).toEqual(a.releases);
            expect(b.wakeAt).toEqual(a.wakeAt);
            expect(b.state).toEqual(a.state);
            full = a.state;
            lean = b.state;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("10,000 idle tenants beside 10 backlogged ones: same releases as without them", () => {
    const busy: TenantSnapshot[] = Array.from({ length: 10 }, (_, i) => ({
      tenantId: tid(`busy-${i}`),
      quota: quota(`busy-${i}`, { weight: i + 1, maxConcurrency: 50 }),
      backlog: { high: 0, normal: 100, low: 0 },
      running: i,
    }));
    const retained = new Map<TenantId, Quota | undefined>(busy.map((s) => [s.tenantId, s.quota]));
    const idle: TenantSnapshot[] = [];
    for (let i = 0; i < 10_000; i++) {
      const q = quota(`idle-${i}`);
      retained.set(q.tenantId, q);
      idle.push({ tenantId: q.tenantId, quota: q, backlog: { high: 0, normal: 0, low: 0 }, running: 0 });
    }
    let full = initialFairShareState();
    let lean = initialFairShareState();
    for (let round = 0; round < 20; round++) {
      const a = decide(full, { now: round * 200, freeSlots: 7, tenants: [...busy, ...idle] });
      const b = decide(lean, { now: round * 200, freeSlots: 7, tenants: busy, retained });
      expect(b.releases).toEqual(a.releases);
      expect(b.state).toEqual(a.state);
      full = a.state;
      lean = b.state;
    }
    // The idle tenants never enter the state: it holds only tenants that were served.
    expect(Object.keys(lean.tenants).every((t) => t.startsWith("busy-"))).toBe(true);
  });
});
