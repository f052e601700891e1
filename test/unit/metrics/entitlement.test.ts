import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  entitlementInput,
  entitlements,
  type EntitlementInput,
  type EntitlementQuota,
} from "../../../scheduler/fairshare/entitlement.ts";

const t = (tenantId: string, weight: number, demand: number, min = 0, max = 1_000): EntitlementInput => ({
  tenantId,
  weight,
  demand,
  minConcurrency: min,
  maxConcurrency: max,
});

describe("entitlements (weighted max-min with minimums and caps)", () => {
  it("splits the fleet by weight among tenants that want more than it has", () => {
    const e = entitlements([t("a", 1, 100), t("b", 3, 100)], 8);
    expect(e.get("a")).toBeCloseTo(2, 6);
    expect(e.get("b")).toBeCloseTo(6, 6);
  });

  it("gives a capped or small tenant what it wants and the rest to the others", () => {
    const e = entitlements([t("a", 1, 1), t("b", 1, 100, 0, 3), t("c", 1, 100)], 10);
    expect(e.get("a")).toBeCloseTo(1, 6);
    expect(e.get("b")).toBeCloseTo(3, 6);
    expect(e.get("c")).toBeCloseTo(6, 6);
  });

  it("honours a guaranteed minimum above the weighted share", () => {
    const e = entitlements([t("a", 1, 100, 5), t("b", 9, 100)], 10);
    expect(e.get("a")).toBeCloseTo(5, 6);
    expect(e.get("b")).toBeCloseTo(5, 6);
  });

  it("leaves out tenants with no demand and gives everyone their cap when slots are spare", () => {
    const e = entitlements([t("a", 1, 2), t("b", 5, 0)], 10);
    expect([...e.keys()]).toEqual(["a"]);
    expect(e.get("a")).toBe(2);
  });

  it("scales minimums down when they exceed the fleet", () => {
    const e = entitlements([t("a", 1, 100, 6), t("b", 1, 100, 2)], 4);
    expect(e.get("a")).toBeCloseTo(3, 6);
    expect(e.get("b")).toBeCloseTo(1, 6);
  });

  it("never hands out more than the fleet nor more than a tenant can use, and uses the fleet when wanted", () => {
    const tenant = fc.record({
      weight: fc.double({ min: 0.01, max: 100, noNaN: true }),
      demand: fc.integer({ min: 0, max: 50 }),
      min: fc.integer({ min: 0, max: 10 }),
      max: fc.integer({ min: 0, max: 40 }),
    });
    fc.assert(
      fc.property(fc.array(tenant, { maxLength: 12 }), fc.integer({ min: 0, max: 100 }), (ts, slots) => {
        const input = ts.map((x, i) => t(`t${i}`, x.weight, x.demand, x.min, x.max));
        const e = entitlements(input, slots);
        const total = [...e.values()].reduce((s, v) => s + v, 0);
        expect(total).toBeLessThanOrEqual(slots + 1e-6);
        for (const x of input) {
          const v = e.get(x.tenantId);
          if (x.demand === 0) expect(v).toBeUndefined();
          else expect(v!).toBeLessThanOrEqual(Math.min(x.demand, x.maxConcurrency) + 1e-6);
        }
        const usable = input.reduce(
          (s, x) => s + (x.demand > 0 ? Math.min(x.demand, x.maxConcurrency) : 0),
          0,
        );
        expect(total).toBeCloseTo(Math.min(slots, usable), 4);
      }),
    );
  });
});

describe("entitlementInput (a tenant's entry from its quota, running and backlog)", () => {
  const quota = (status: EntitlementQuota["status"]): EntitlementQuota => ({
    status,
    weight: 2,
    minConcurrency: 1,
    maxConcurrency: 10,
  });

  it("takes an active tenant's weight, minimum and cap, with running plus backlog as its demand", () => {
    expect(entitlementInput("a", quota("active"), 3, 4)).toEqual({
      tenantId: "a",
      weight: 2,
      minConcurrency: 1,
      maxConcurrency: 10,
      demand: 7,
    });
  });

  it("caps a paused tenant at what it already runs (its backlog is held)", () => {
    expect(entitlementInput("a", quota("paused"), 3, 4)).toMatchObject({ maxConcurrency: 3, demand: 7 });
    expect(entitlements([entitlementInput("a", quota("paused"), 3, 4)!], 100).get("a")).toBe(3);
  });

  it("leaves out a suspended tenant and one without a valid quota", () => {
    expect(entitlementInput("a", quota("suspended"), 3, 4)).toBeUndefined();
    expect(entitlementInput("a", undefined, 3, 4)).toBeUndefined();
  });
});
