import { describe, expect, it } from "vitest";
import { decisionBreakdown } from "../../../bench/tenants/decision-breakdown.ts";
import { finalLine, misses, perTenantRate, pickup, shares, worstOf } from "../../../bench/tenants/measure.ts";
import { replicaPhases } from "../../../bench/tenants/options.ts";

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

  it("puts the worse of the phases on the final line", () => {
    const one = { reqPerTenantS: 0.05, pickupP99Ms: 900, cpuPct: 7, decisionP99Ms: 0.4 };
    const two = { reqPerTenantS: 0.049, pickupP99Ms: 1_300, cpuPct: 12, decisionP99Ms: 0.3 };
    expect(worstOf(500, [one, two])).toEqual({
      tenants: 500,
      reqPerTenantS: 0.05,
      pickupP99Ms: 1_300,
      cpuPct: 12,
      decisionP99Ms: 0.4,
    });
    expect(worstOf(500, [one, { ...two, pickupP99Ms: Infinity }]).pickupP99Ms).toBe(Infinity);
    expect(worstOf(500, []).cpuPct).toBe(Infinity);
  });

  it("parses the replica phases: ascending positive counts", () => {
    expect(replicaPhases("1,2")).toEqual([1, 2]);
    expect(replicaPhases("2")).toEqual([2]);
    expect(() => replicaPhases("2,1")).toThrow(/ascending/);
    expect(() => replicaPhases("0")).toThrow(/ascending/);
    expect(() => replicaPhases("1,x")).toThrow(/ascending/);
  });

  it("puts each slow decision down to waiting for a CPU, a GC pause inside it, or its own work", () => {
    const b = decisionBreakdown(
      [
        { at: 0, wallMs: 0.1, cpuMs: 0.1, waitMs: 0 }, // fast
        { at: 10, wallMs: 5, cpuMs: 4, waitMs: 0 }, // GC inside (12..14)
        { at: 20, wallMs: 8, cpuMs: 0.2, waitMs: 7.5 }, // preempted
        { at: 40, wallMs: 3, cpuMs: 3, waitMs: 0.5 }, // own work
        { at: 50, wallMs: 2, cpuMs: 2, waitMs: 0 }, // GC starting before it and ending inside
        { at: 60, wallMs: 4, cpuMs: 1, waitMs: 3 }, // preempted, with a GC pause inside too
      ],
      [
        { at: 12, ms: 2 },
        { at: 30, ms: 1 }, // between decisions
        { at: 49, ms: 2 },
        { at: 61, ms: 0.5 },
      ],
    );
    expect(b).toMatchObject({ decisions: 6, slow: 5, preempted: 2, gc: 2, work: 1 });
    expect(b.gcInSlowMs).toBeCloseTo(3.5);
    expect(b.waitInSlowMs).toBeCloseTo(11);
    expect(b.slowWallMs).toBeCloseTo(22);
  });
});
