import { describe, expect, it } from "vitest";
import { admitTenant } from "../../../api/tenants/tenant-access.ts";
import { apply } from "../../../api/tenants/tenant-directory.ts";
import { ApiError } from "../../../api/errors.ts";
import { QuotaBook } from "../../../scheduler/quota/book.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const acme = tenantId("acme");
const doc = (over: Record<string, unknown> = {}) => ({
  _id: "acme",
  tenantId: "acme",
  status: "active",
  tier: "shared",
  weight: 1,
  maxConcurrency: 4,
  minConcurrency: 0,
  updatedAt: new Date(0),
  version: 1,
  ...over,
});

const code = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (err) {
    return err instanceof ApiError ? err.code : "other";
  }
};

describe("tenant documents at the edge", () => {
  it("validates like the scheduler: the api section parses, an invalid edit keeps the last valid one", () => {
    const book = new QuotaBook();
    const first = apply(book, acme, doc({ api: { perSecond: 5, burst: 10 } }));
    expect(first.kind === "found" && first.quota.api).toEqual({ perSecond: 5, burst: 10 });
    const bad = apply(book, acme, doc({ version: 2, api: { perSecond: 0, burst: 10 } }));
    expect(bad.kind === "found" && bad.quota.version).toBe(1);
    expect(apply(new QuotaBook(), acme, doc({ api: { perSecond: 1, burst: 0 } })).kind).toBe("invalid");
    expect(apply(book, acme, null).kind).toBe("unknown");
  });

  it("admits active and paused tenants, refuses suspended (with the reason) and unknown ones", () => {
    const book = new QuotaBook();
    expect(code(() => admitTenant(apply(book, acme, doc())))).toBe("ok");
    expect(code(() => admitTenant(apply(book, acme, doc({ version: 2, status: "paused" }))))).toBe("ok");
    const suspended = apply(book, acme, doc({ version: 3, status: "suspended", reason: "unpaid" }));
    expect(code(() => admitTenant(suspended))).toBe("tenant_suspended");
    try {
      admitTenant(suspended);
    } catch (err) {
      expect((err as ApiError).details).toEqual({ reason: "unpaid" });
    }
    expect(code(() => admitTenant({ kind: "unknown" }))).toBe("tenant_unknown");
    expect(code(() => admitTenant({ kind: "invalid", problems: [] }))).toBe("tenant_unknown");
  });
});
