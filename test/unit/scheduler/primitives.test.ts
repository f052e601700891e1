import { describe, expect, it } from "vitest";
import { MinHeap } from "../../../scheduler/fairshare/heap.ts";
import { jainIndex, percentile, waterFill } from "../../../scheduler/fairshare/metrics.ts";
import { pickPriority } from "../../../scheduler/fairshare/priority-pick.ts";
import {
  fullBucket,
  hasToken,
  nextTokenAt,
  refill,
  take,
} from "../../../scheduler/fairshare/token-bucket.ts";
import type { Priority } from "../../../scheduler/quota/priority.ts";

describe("token bucket", () => {
  const rate = { perSecond: 2, burst: 3 };

  it("starts full, drains, refills at the rate and clamps to the burst", () => {
    let b = fullBucket(rate, 1000);
    for (let i = 0; i < 3; i++) b = take(b);
    expect(hasToken(b)).toBe(false);
    expect(nextTokenAt(b, rate)).toBe(1500);
    expect(hasToken(refill(b, rate, 1499))).toBe(false);
    expect(hasToken(refill(b, rate, 1500))).toBe(true);
    expect(refill(b, rate, 60_000).tokens).toBe(3);
    expect(refill(refill(b, rate, 60_000), { perSecond: 2, burst: 1 }, 60_000).tokens).toBe(1);
  });

  it("treats a clock going backwards as no time passing", () => {
    const b = take(fullBucket({ perSecond: 1, burst: 1 }, 5000));
    expect(refill(b, rate, 1000)).toEqual({ tokens: 0, at: 5000 });
  });
});

describe("pickPriority", () => {
  const run = (remaining: Record<Priority, number>, n: number, aging: number): Priority[] => {
    const bypassed = { normal: 0, low: 0 };
    const out: Priority[] = [];
    for (let i = 0; i < n; i++) {
      const p = pickPriority(remaining, bypassed, aging);
      remaining[p] -= 1;
      out.push(p);
    }
    return out;
  };

  it("releases high before normal before low", () => {
    expect(run({ high: 2, normal: 1, low: 1 }, 4, Infinity)).toEqual(["high", "high", "normal", "low"]);
  });

  it("ages waiting lower classes so they get one release in every agingAfter + 1", () => {
    const order = run({ high: 100, normal: 0, low: 100 }, 18, 8);
    expect(order.filter((p) => p === "low")).toHaveLength(2);
    expect(order[8]).toBe("low");
    expect(order[17]).toBe("low");
    const three = run({ high: 100, normal: 100, low: 100 }, 90, 4);
    expect(three.filter((p) => p === "low").length).toBeGreaterThanOrEqual(90 / 5 - 1);
    expect(three.filter((p) => p === "normal").length).toBeGreaterThanOrEqual(90 / 5 - 1);
  });
});

describe("metrics", () => {
  it("computes Jain, percentiles and water-filling", () => {
    expect(jainIndex([1, 1, 1])).toBe(1);
    expect(jainIndex([1, 0, 0, 0])).toBeCloseTo(0.25);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 99)).toBe(5);
    const fill = waterFill(10, [
      { demand: 2, weight: 1 },
      { demand: 100, weight: 1 },
      { demand: 100, weight: 2 },
    ]);
    expect(fill[0]).toBe(2);
    expect(fill[1]).toBeCloseTo(8 / 3, 9);
    expect(fill[2]).toBeCloseTo(16 / 3, 9);
  });

  it("heap pops in order", () => {
    const heap = new MinHeap<number>((a, b) => a < b, [5, 3, 9, 1]);
    heap.push(4);
    const out: number[] = [];
    for (let x = heap.pop(); x !== undefined; x = heap.pop()) out.push(x);
    expect(out).toEqual([1, 3, 4, 5, 9]);
  });
});
