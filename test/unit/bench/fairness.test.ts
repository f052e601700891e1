import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import {
  measurePhase,
  type JobRecord,
  type PhaseRecord,
  type TenantTrack,
} from "../../../bench/fairness/measure.ts";
import { fairnessChart } from "../../../bench/fairness/plot.ts";
import { checks, finalLine, headline } from "../../../bench/fairness/report.ts";
import {
  buildScenario,
  DEFAULT_OPTIONS,
  trickleTimes,
  withoutFlood,
} from "../../../bench/fairness/scenario.ts";
import { Canvas, niceTicks, renderChart, shortNumber } from "../../../bench/lib/chart.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const A = tenantId("ta");
const B = tenantId("tb");
const Q = tenantId("tq");

function track(
  id: ReturnType<typeof tenantId>,
  role: TenantTrack["role"],
  weight: number,
  cap = 100,
): TenantTrack {
  return { id, role, weight, cap };
}

function record(tenants: TenantTrack[], jobs: JobRecord[], extra: Partial<PhaseRecord> = {}): PhaseRecord {
  return {
    phase: "test",
    dequeue: "release",
    enforcesCaps: true,
    slots: 4,
    t0: 0,
    windowStart: 1000,
    end: 5000,
    windowMs: 1000,
    tailMs: 500,
    tenants,
    jobs,
    busy: [],
    ...extra,
  };
}

/** Both tenants send 100 jobs at t=0; each window releases A, A, B, A, A, B (exactly 2:1). */
function twoToOne(): JobRecord[] {
  const jobs: JobRecord[] = [];
  for (let w = 0; w < 5; w++)
    ["A", "A", "B", "A", "A", "B"].forEach((who, k) => {
      const at = w * 1000 + 50 + k * 150;
      jobs.push({
        tenant: who === "A" ? A : B,
        sentAt: 0,
        releasedAt: at,
        startedAt: at + 5,
        finishedAt: at + 20,
      });
    });
  for (let n = 0; n < 70; n++) jobs.push({ tenant: A, sentAt: 0 }, { tenant: B, sentAt: 0 });
  return jobs;
}

describe("fairness measurement", () => {
  it("shares that follow the weights give ratio 1 and Jain 1", () => {
    const f = measurePhase(record([track(A, "bulk", 2), track(B, "bulk", 1)], twoToOne()));
    expect(f.backlogged).toEqual([A, B]);
    expect(f.tenants[0]!.shareWindows).toBe(4);
    expect(f.minShare).toBeCloseTo(1, 9);
    expect(f.jain).toBeCloseTo(1, 9);
    expect(f.windows).toHaveLength(4);
    expect(f.windows[0]!.dequeues).toEqual([4, 2]);
    expect(f.windows[0]!.ratios[0]).toBeCloseTo(1, 9);
    expect(f.dequeuesPerSecond).toBeCloseTo(6, 9);
  });

  it("a tenant served equally despite twice the weight gets 0.75 of its fair share", () => {
    const jobs = twoToOne().map((j, i) =>
      j.releasedAt !== undefined ? { ...j, tenant: i % 2 === 0 ? A : B } : j,
    );
    const f = measurePhase(record([track(A, "bulk", 2), track(B, "bulk", 1)], jobs));
    expect(f.tenants[0]!.shareRatio).toBeCloseTo(3 / 4, 9);
    expect(f.tenants[1]!.shareRatio).toBeCloseTo(3 / 2, 9);
    expect(f.minShare).toBeCloseTo(0.75, 9);
    expect(f.minShareTenant).toBe(A);
  });

  it("a tenant at its cap is not judged on share", () => {
    const jobs = twoToOne().map((j) =>
      j.tenant === B && j.finishedAt !== undefined ? { ...j, finishedAt: 10_000 } : j,
    );
    const f = measurePhase(record([track(A, "bulk", 2), track(B, "bulk", 1, 2)], jobs));
    expect(f.tenants[1]!.shareRatio).toBeUndefined();
    expect(f.backlogged).toEqual([A]);
  });

  it("quiet waits: percentiles, the tail cut and lower bounds for jobs never released", () => {
    const jobs: JobRecord[] = [
      { tenant: Q, sentAt: 1100, releasedAt: 1200, startedAt: 1250, finishedAt: 1300 },
      { tenant: Q, sentAt: 2100, releasedAt: 2300, startedAt: 2350, finishedAt: 2400 },
      { tenant: Q, sentAt: 3100, releasedAt: 3400, startedAt: 3500, finishedAt: 3600 },
      { tenant: Q, sentAt: 500, releasedAt: 4000 }, // before the window: not judged
      { tenant: Q, sentAt: 4600 }, // in the tail: not judged
    ];
    const f = measurePhase(record([track(Q, "quiet", 1)], jobs));
    expect(f.quietRelease).toMatchObject({ n: 3, censored: 0, p50: 200, p99: 300, max: 300 });
    expect(f.quietStart).toMatchObject({ n: 3, p50: 250, p99: 400 });
    const g = measurePhase(record([track(Q, "quiet", 1)], [...jobs, { tenant: Q, sentAt: 2500 }]));
    expect(g.quietRelease).toMatchObject({ n: 4, censored: 1, p99: 2500 });
  });

  it("idle slot-time counts only while some tenant has queued work under its cap", () => {
    const jobs: JobRecord[] = [
      { tenant: A, sentAt: 0, releasedAt: 100, startedAt: 150, finishedAt: 3000 },
      { tenant: A, sentAt: 0 }, // runnable until the end
    ];
    const busy = [0, 1000, 2000, 3000, 4000, 5000].map((t) => ({ t, busy: t < 3000 ? 1 : 0 }));
    const f = measurePhase(record([track(A, "bulk", 1)], jobs, { slots: 4, busy }));
    // 1000..3000: 3 idle slots; 3000..5000: 4 idle → (3·2000 + 4·2000) / (4·4000)
    expect(f.idle.pct).toBeCloseTo((100 * 14_000) / 16_000, 9);
    expect(f.idle.workQueuedPct).toBe(0);
    const capped = measurePhase(record([track(A, "bulk", 1, 1)], jobs, { slots: 4, busy }));
    expect(capped.idle.pct).toBeCloseTo((100 * 8_000) / 16_000, 9); // at its cap until 3000
  });

  it("quota apply: first release above the old cap after the edit; cap violations counted", () => {
    const jobs: JobRecord[] = [
      { tenant: A, sentAt: 0, releasedAt: 100, finishedAt: 4000 },
      { tenant: A, sentAt: 0, releasedAt: 2300, finishedAt: 4000 },
      { tenant: A, sentAt: 0, releasedAt: 2400, finishedAt: 4000 },
      { tenant: A, sentAt: 0 },
    ];
    const edit = { tenant: A, at: 2000, fromCap: 1, toCap: 3 };
    const f = measurePhase(record([track(A, "capped", 1, 1)], jobs, { edit }));
    expect(f.quotaApplyMs).toBe(300);
    expect(f.capViolations).toBe(0);
    const early = measurePhase(
      record(
        [track(A, "capped", 1, 1)],
        [...jobs, { tenant: A, sentAt: 0, releasedAt: 1500, finishedAt: 1600 }],
        { edit },
      ),
    );
    expect(early.capViolations).toBe(1);
  });

  it("headline, checks and the final line", () => {
    const f = measurePhase(record([track(A, "bulk", 2), track(B, "bulk", 1)], twoToOne()));
    const h = headline(f, f);
    expect(finalLine(h)).toMatch(
      /^fairness: min-share 1\.000, jain 1\.0000, quiet-p99-ratio n\/a, quiet-p99-ms n\/a, idle-pct 0\.00, quota-apply-ms n\/a$/,
    );
    expect(checks(h).map((c) => [c.figure, c.met])).toEqual([
      ["min-share", true],
      ["jain", true],
      ["quiet-p99-ratio", false],
      ["quiet-p99-ms", false],
      ["idle-pct", true],
      ["quota-apply-ms", false],
    ]);
  });
});

describe("fairness scenario", () => {
  it("20 tenants, one flood, the same trickles in every phase", () => {
    const s = buildScenario(DEFAULT_OPTIONS);
    expect(s.tenants).toHaveLength(20);
    expect(s.tenants.filter((t) => t.role === "flood").map((t) => t.dump)).toEqual([10_000]);
    expect(s.durationMs % s.windowMs).toBe(0);
    const quiet = s.tenants.find((t) => t.role === "quiet")!;
    expect(trickleTimes(s, quiet)).toEqual(trickleTimes(withoutFlood(s), quiet));
    expect(withoutFlood(s).tenants[0]!.dump).toBe(0);
  });
});

describe("chart", () => {
  it("renders a valid PNG of the requested size with ink on it", () => {
    const png = renderChart({
      title: "test 1.5%",
      width: 320,
      panelHeight: 150,
      panels: [
        {
          title: "lines",
          xRange: [0, 10],
          yRange: [0, 2],
          refY: [1],
          lines: [
            {
              label: "a",
              color: [200, 0, 0],
              points: [
                { x: 0, y: 0 },
                { x: 10, y: 5 },
              ],
            },
          ],
        },
        {
          title: "bars",
          xRange: [0, 2],
          yRange: [0, 10],
          stacked: { edges: [0, 1, 2], series: [{ label: "s", color: [0, 0, 200], values: [3, 12] }] },
        },
      ],
    });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const img = PNG.sync.read(png);
    expect(img.width).toBe(320);
    expect(img.height).toBe(24 + 300);
    let red = 0;
    let blue = 0;
    for (let o = 0; o < img.data.length; o += 4) {
      if (img.data[o] === 200 && img.data[o + 1] === 0 && img.data[o + 2] === 0) red++;
      if (img.data[o] === 0 && img.data[o + 1] === 0 && img.data[o + 2] === 200) blue++;
    }
    expect(red).toBeGreaterThan(50);
    expect(blue).toBeGreaterThan(100);
  });

  it("draws text with the bitmap font and computes nice ticks", () => {
    const c = new Canvas(40, 10);
    expect(c.text(0, 0, "A1")).toBe(12);
    expect(c.data.some((b, i) => i % 4 === 0 && b !== 255)).toBe(true);
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 1.2, 5)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, 3000, 5)).toEqual([0, 1000, 2000, 3000]);
    expect(shortNumber(25_000)).toBe("25K");
    expect(shortNumber(0.5)).toBe("0.5");
  });

  it("the fairness chart renders from measured figures", () => {
    const f = measurePhase(record([track(A, "bulk", 2), track(B, "bulk", 1)], twoToOne()));
    const png = fairnessChart({
      sluice: f,
      noFlood: f,
      fifo: f,
      t0: { sluice: 0, noFlood: 0, fifo: 0 },
      durationMs: 5000,
      editAtMs: 2000,
    });
    expect(PNG.sync.read(png).width).toBe(1100);
  });
});
