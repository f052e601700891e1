import { describe, expect, it } from "vitest";
import { EdgeRateLimiter } from "../../../api/tenants/edge-rate.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const acme = tenantId("acme");
const globex = tenantId("globex");

describe("EdgeRateLimiter", () => {
  it("allows the burst, then refuses with the whole seconds until the next token", () => {
    const limiter = new EdgeRateLimiter();
    const rate = { perSecond: 0.5, burst: 3 };
    for (let i = 0; i < 3; i++) expect(limiter.take(acme, rate, 1_000)).toEqual({ ok: true });
    expect(limiter.take(acme, rate, 1_000)).toEqual({ ok: false, retryAfterSeconds: 2 });
    expect(limiter.take(acme, rate, 2_100)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take(acme, rate, 3_000)).toEqual({ ok: true });
  });

  it("never says Retry-After 0, rounds up, and keeps tenants apart", () => {
    const limiter = new EdgeRateLimiter();
    const fast = { perSecond: 1000, burst: 1 };
    expect(limiter.take(acme, fast, 0)).toEqual({ ok: true });
    expect(limiter.take(acme, fast, 0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take(globex, fast, 0)).toEqual({ ok: true });
    const slow = { perSecond: 0.1, burst: 1 };
    expect(limiter.take(tenantId("initech"), slow, 0)).toEqual({ ok: true });
    expect(limiter.take(tenantId("initech"), slow, 1)).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it("applies a changed rate at once (a smaller burst clamps the bucket)", () => {
    const limiter = new EdgeRateLimiter();
    for (let i = 0; i < 5; i++) limiter.take(acme, { perSecond: 1, burst: 10 }, 0);
    // 5 tokens left under the old burst; the new burst of 1 leaves 1.
    expect(limiter.take(acme, { perSecond: 1, burst: 1 }, 0)).toEqual({ ok: true });
    expect(limiter.take(acme, { perSecond: 1, burst: 1 }, 0)).toEqual({ ok: false, retryAfterSeconds: 1 });
  });
});
