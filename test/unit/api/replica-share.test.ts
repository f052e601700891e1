import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { replicaShare } from "../../../api/tenants/replica-share.ts";

describe("replicaShare: one API replica's share of a tenant's edge rate", () => {
  it("is the whole rate for one replica (or a nonsense count)", () => {
    const rate = { perSecond: 5, burst: 20 };
    for (const n of [1, 0, -3, Number.NaN, Number.POSITIVE_INFINITY])
      expect(replicaShare(rate, n)).toEqual(rate);
  });

  it("divides the rate and rounds the burst up, at least 1", () => {
    expect(replicaShare({ perSecond: 10, burst: 20 }, 4)).toEqual({ perSecond: 2.5, burst: 5 });
    expect(replicaShare({ perSecond: 1, burst: 5 }, 2)).toEqual({ perSecond: 0.5, burst: 3 });
    expect(replicaShare({ perSecond: 1, burst: 1 }, 8)).toEqual({ perSecond: 0.125, burst: 1 });
  });

  it("never gives the fleet together more than the rate, nor more than replicas − 1 over the burst", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 1e4, noNaN: true }),
        fc.integer({ min: 1, max: 1e4 }),
        fc.integer({ min: 1, max: 64 }),
        (perSecond, burst, n) => {
          const share = replicaShare({ perSecond, burst }, n);
          expect(share.perSecond * n).toBeCloseTo(perSecond, 6);
          expect(share.burst).toBeGreaterThanOrEqual(1);
          expect(share.burst * n).toBeLessThanOrEqual(Math.max(burst, n) + n - 1);
        },
      ),
    );
  });
});
