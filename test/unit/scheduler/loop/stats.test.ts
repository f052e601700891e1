import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../../shared/log/logger.ts";
import { StatsPublisher, statsDeltas } from "../../../../scheduler/loop/stats-publisher.ts";
import type { StatsBase } from "../../../../scheduler/loop/stats-publisher.ts";
import type { ThrottleReason } from "../../../../scheduler/loop/metrics.ts";
import { sumFresh } from "../../../../scheduler/store/tenant-stats.ts";
import type { TenantStatsDoc } from "../../../../scheduler/store/tenant-stats.ts";
import { tid } from "../helpers.ts";
import { loopHarness } from "./harness.ts";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const counts = (released: number, t: Partial<Record<ThrottleReason, number>> = {}) => ({
  released,
  throttled: { cap: 0, rate: 0, daily: 0, paused: 0, "no-quota": 0, ...t },
});

describe("statsDeltas", () => {
  it("publishes the counters' deltas over the window, per tenant, and keeps the new base", () => {
    const base = new Map<string, StatsBase>();
    const first = statsDeltas(
      "s1",
      { ta: counts(20, { cap: 3 }) },
      [tid("ta"), tid("tb")],
      base,
      T0,
      T0 + 10_000,
    );
    expect(first).toEqual([
      {
        schedulerId: "s1",
        tenantId: "ta",
        at: new Date(T0 + 10_000),
        windowMs: 10_000,
        released: 20,
        releasedPerSec: 2,
        throttled: { cap: 3, rate: 0, daily: 0, paused: 0, noQuota: 0 },
      },
      expect.objectContaining({ tenantId: "tb", released: 0, releasedPerSec: 0 }),
    ]);
    const second = statsDeltas(
      "s1",
      { ta: counts(25, { cap: 4, rate: 2 }), tc: counts(0, { "no-quota": 7 }) },
      [tid("ta")],
      base,
      T0 + 10_000,
      T0 + 30_000,
    );
    expect(second.map((d) => [d.tenantId, d.released, d.releasedPerSec, d.windowMs])).toEqual([
      ["ta", 5, 0.25, 20_000],
      ["tc", 0, 0, 20_000],
    ]);
    expect(second[0]?.throttled).toEqual({ cap: 1, rate: 2, daily: 0, paused: 0, noQuota: 0 });
    expect(second[1]?.throttled.noQuota).toBe(7);
  });

  it("counts from zero after a metrics reset (a counter below its base)", () => {
    const base = new Map<string, StatsBase>();
    statsDeltas("s1", { ta: counts(100, { rate: 50 }) }, [], base, T0, T0 + 1_000);
    const [d] = statsDeltas("s1", { ta: counts(4, { rate: 1 }) }, [], base, T0 + 1_000, T0 + 2_000);
    expect(d).toMatchObject({ released: 4, releasedPerSec: 4, throttled: { rate: 1 } });
  });

  it("the publisher retries a failed write's interval in the next one", async () => {
    let clock = T0;
    const written: TenantStatsDoc[][] = [];
    let fail = true;
    const p = new StatsPublisher({
      schedulerId: "s1",
      store: {
        write: async (docs) => {
          if (fail) throw new Error("down");
          written.push([...docs]);
        },
      },
      now: () => clock,
      log: silentLogger(),
    });
    clock += 10_000;
    await p.publish({ ta: counts(10) }, [], clock);
    fail = false;
    clock += 10_000;
    await p.publish({ ta: counts(30) }, [], clock);
    expect(written).toEqual([
      [expect.objectContaining({ released: 30, windowMs: 20_000, releasedPerSec: 1.5 })],
    ]);
  });
});

describe("sumFresh", () => {
  const doc = (
    scheduler: string,
    tenant: string,
    ageMs: number,
    o: Partial<TenantStatsDoc> = {},
  ): TenantStatsDoc => ({
    schedulerId: scheduler,
    tenantId: tenant,
    at: new Date(T0 - ageMs),
    windowMs: 10_000,
    released: 10,
    releasedPerSec: 1,
    throttled: { cap: 0, rate: 0, daily: 0, paused: 0, noQuota: 0 },
    ...o,
  });

  it("sums fresh documents across schedulers, ignores stale ones, and names the dominant reason", () => {
    const sums = sumFresh(
      [
        doc("s1", "ta", 1_000, { throttled: { cap: 5, rate: 1, daily: 0, paused: 0, noQuota: 0 } }),
        doc("s2", "ta", 25_000, {
          releasedPerSec: 2.5,
          throttled: { cap: 3, rate: 6, daily: 0, paused: 0, noQuota: 0 },
        }),
        doc("s3", "ta", 31_000, {
          releasedPerSec: 100,
          throttled: { cap: 0, rate: 99, daily: 0, paused: 0, noQuota: 0 },
        }),
        doc("s1", "tb", 0, { released: 0, releasedPerSec: 0 }),
      ],
      T0,
    );
    expect(sums.get("ta")).toEqual({
      schedulers: 2,
      released: 20,
      releasedPerSec: 3.5,
      throttled: { cap: 8, rate: 7, daily: 0, paused: 0, noQuota: 0 },
      throttledTotal: 15,
      throttledReason: "cap",
    });
    expect(sums.get("tb")).toMatchObject({ schedulers: 1, throttledTotal: 0, throttledReason: undefined });
  });
});

describe("FairScheduler.maintain publishes stats", () => {
  it("writes one document per tenant with each summary", async () => {
    const w = await loopHarness(["ta", "tb"], { summaryIntervalMs: 10_000 });
    w.setQuota("ta", { maxConcurrency: 2 });
    w.setQuota("tb");
    for (let i = 0; i < 5; i += 1) await w.send("ta", `a${i}`);
    await w.scheduler.tick();
    w.advance(5_000);
    await w.scheduler.tick();
    await w.scheduler.maintain();
    expect(w.calls.stats.map((d) => [d.schedulerId, d.tenantId, d.released, d.windowMs])).toEqual([
      ["sched-1", "ta", 2, 5_000],
      ["sched-1", "tb", 0, 5_000],
    ]);
    expect(w.calls.stats[0]?.throttled.cap).toBeGreaterThan(0);
    w.advance(5_000);
    await w.scheduler.maintain(); // not due yet: no summary, no stats
    expect(w.calls.stats).toHaveLength(2);
  });
});
