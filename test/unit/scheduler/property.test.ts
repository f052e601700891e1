import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide } from "../../../scheduler/fairshare/decide.ts";
import type { TenantSnapshot } from "../../../scheduler/fairshare/decide.ts";
import { fairSharePolicy } from "../../../scheduler/fairshare/policy.ts";
import { simulate } from "../../../bench/fairness/sim/simulate.ts";
import type { SimTenantSpec } from "../../../bench/fairness/sim/simulate.ts";
import { initialFairShareState } from "../../../scheduler/fairshare/state.ts";
import { PRIORITIES } from "../../../scheduler/quota/priority.ts";
import { quota, quotaDoc, tenantName, tid } from "./helpers.ts";

const quotaFields = fc
  .record({
    weight: fc.double({ min: 0.01, max: 1000, noNaN: true }),
    maxConcurrency: fc.integer({ min: 0, max: 8 }),
    minFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    status: fc.constantFrom("active", "active", "active", "paused", "suspended"),
    rate: fc.option(
      fc.record({
        perSecond: fc.double({ min: 0.5, max: 200, noNaN: true }),
        burst: fc.integer({ min: 1, max: 6 }),
      }),
    ),
    dailyJobQuota: fc.option(fc.integer({ min: 0, max: 60 })),
  })
  .map(({ minFraction, rate, dailyJobQuota, status, ...rest }) => ({
    ...rest,
    status,
    reason: status === "suspended" ? "test" : undefined,
    minConcurrency: Math.floor(minFraction * rest.maxConcurrency),
    rate,
    dailyJobQuota,
  }));

describe("decide: properties over random snapshots", () => {
  it("never exceeds free slots, backlog or caps; serves minimums first; is work-conserving", () => {
    const tenantArb = fc.record({
      q: fc.option(quotaFields, { freq: 8 }),
      high: fc.nat(5),
      normal: fc.nat(5),
      low: fc.nat(5),
      running: fc.nat(10),
    });
    fc.assert(
      fc.property(fc.array(tenantArb, { minLength: 1, maxLength: 12 }), fc.nat(40), (specs, freeSlots) => {
        const tenants: TenantSnapshot[] = specs.map((s, i) => ({
          tenantId: tid(tenantName(i)),
          quota: s.q === null ? undefined : quota(tenantName(i), s.q),
          backlog: { high: s.high, normal: s.normal, low: s.low },
          running: s.running,
        }));
        const d = decide(initialFairShareState(), { now: 0, freeSlots, tenants });
        expect(d.releases.length).toBeLessThanOrEqual(freeSlots);
        let shareSeen = false;
        for (const t of tenants) {
          const mine = d.releases.filter((r) => r.tenantId === t.tenantId);
          for (const p of PRIORITIES)
            expect(mine.filter((r) => r.priority === p).length).toBeLessThanOrEqual(t.backlog[p]);
          if (mine.length === 0) continue;
          const q = t.quota;
          expect(q?.status).toBe("active");
          expect(t.running + mine.length).toBeLessThanOrEqual(q?.maxConcurrency ?? 0);
          if (q?.rate) expect(mine.length).toBeLessThanOrEqual(q.rate.burst);
          if (q?.dailyJobQuota !== undefined) expect(mine.length).toBeLessThanOrEqual(q.dailyJobQuota);
        }
        // Left-over eligibility after the decision.
        const leftover = tenants.map((t) => {
          const n = d.releases.filter((r) => r.tenantId === t.tenantId).length;
          const q = t.quota;
          const queued = t.backlog.high + t.backlog.normal + t.backlog.low - n;
          const eligible =
            q !== undefined &&
            q.status === "active" &&
            queued > 0 &&
            t.running + n < q.maxConcurrency &&
            (q.rate === undefined || n < q.rate.burst) &&
            (q.dailyJobQuota === undefined || n < q.dailyJobQuota);
          return { eligible, belowMin: q !== undefined && t.running + n < q.minConcurrency };
        });
        if (d.releases.length < freeSlots) expect(leftover.some((l) => l.eligible)).toBe(false);
        for (const r of d.releases) shareSeen ||= r.reason === "share";
        if (shareSeen) expect(leftover.some((l) => l.eligible && l.belowMin)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("simulate: properties over random quotas, arrivals and edits", () => {
  it("never breaks a cap, rate, status, daily quota or minimum, and never idles a slot runnable work could use", () => {
    const tenantArb = fc.record({
      q: quotaFields,
      flood: fc.nat(40),
      floodAt: fc.nat(500),
      trickle: fc.double({ min: 0, max: 40, noNaN: true }),
      serviceMs: fc.integer({ min: 1, max: 80 }),
      edit: fc.option(fc.record({ at: fc.nat(1500), q: quotaFields, invalid: fc.boolean() })),
    });
    fc.assert(
      fc.property(
        fc.array(tenantArb, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.nat(1000),
        (specs, slots, seed) => {
          const tenants: SimTenantSpec[] = specs.map((s, i) => ({
            tenantId: tid(tenantName(i)),
            quota: quotaDoc(tenantName(i), s.q),
            service: { kind: "uniform", minMs: 1, maxMs: s.serviceMs },
            arrivals: [
              { kind: "flood", at: s.floodAt, count: s.flood },
              ...(s.trickle > 0.1 ? [{ kind: "trickle" as const, perSecond: s.trickle, until: 1500 }] : []),
            ],
          }));
          const edits = specs.flatMap((s, i) =>
            s.edit === null
              ? []
              : [
                  {
                    at: s.edit.at,
                    doc: quotaDoc(tenantName(i), {
                      ...s.edit.q,
                      version: 2,
                      ...(s.edit.invalid ? { weight: -1 } : {}),
                    }),
                  },
                ],
          );
          const report = simulate({ seed, slots, tenants, edits, untilMs: 120_000 }, fairSharePolicy());
          expect(report.violations).toEqual({ cap: 0, rate: 0, status: 0, daily: 0, minimum: 0 });
          expect(report.idleSlotMsWhileRunnable).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
