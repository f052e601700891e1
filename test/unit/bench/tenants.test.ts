import { describe, expect, it } from "vitest";
import { finalLine, misses, perTenantRate, pickup, shares } from "../../../bench/tenants/measure.ts";

describe("bench tenants: figures", () => {
  it("rates requests per tenant per second", () => {
    expect(perTenantRate(980, 490, 40_000)).toBeCloseTo(0.05);
    expect(perTenantRate(5, 0, 1_000)).toBe(0);
  });

  it("gives pickup percentiles, and an unreleased probe makes p99 infinite", () => {
    const p = pickup([
      { tenant: "a", sentAt: 0, releasedAt: 100 },
      { tenant: "b", sentAt: 0, releasedAt: 300 },
    ]);
    expect(p).toMatchObject({ n: 2, released: 2, p50: 100, p99: 300, max: 300 });
    expect(pickup([{ tenant: "a", sentAt: 0 }]).p99).toBe(Infinity);
  });

  it("compares each busy tenant's share of releases with its weight's", () => {
    const s = shares([
      { tenant: "a", weight: 1, released: 10 },
      { tenant: "b", weight: 3, released: 30 },
    ]);
    expect(s.map((x) => [x.share, x.fairShare])).toEqual([
      [0.25, 0.25],
      [0.75, 0.75],
    ]);
  });

  it("prints the final line and the missed targets", () => {
    const h = { tenants: 500, reqPerTenantS: 0.05, pickupP99Ms: 1200, cpuPct: 7.4, decisionP99Ms: 0.2 };
    expect(finalLine(h)).toBe(
      "tenants: 500 tenants, idle-req-per-tenant-s 0.050, idle-pickup-p99-ms 1200, scheduler-cpu-pct 7.4, decision-p99-ms 0.200",
    );
    expect(misses(h)).toEqual(["idle-pickup-p99-ms 1200 > 1000"]);
    expect(finalLine({ ...h, pickupP99Ms: Infinity })).toContain("idle-pickup-p99-ms inf");
  });
});
