import { describe, expect, it } from "vitest";
import { admit } from "../../../scheduler/quota/admission.ts";
import { FullWindows, MAX_WINDOWS } from "../../../scheduler/quota/queue-limit.ts";
import { QuotaBook } from "../../../scheduler/quota/book.ts";
import { formatProblem, parseQuota } from "../../../scheduler/quota/schema.ts";
import { quota, quotaDoc, tid } from "./helpers.ts";

function problemsOf(doc: unknown): string[] {
  const parsed = parseQuota(doc);
  return parsed.ok ? [] : parsed.problems.map(formatProblem);
}

describe("parseQuota", () => {
  it("accepts a valid document and fills tenantId from _id", () => {
    const { tenantId: _omit, ...doc } = quotaDoc("acme", {
      rate: { perSecond: 5, burst: 10 },
      maxQueued: null,
    });
    const parsed = parseQuota({ ...doc, updatedAt: "2026-02-01T10:00:00Z" });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.quota.tenantId).toBe("acme");
    expect(parsed.quota.rate).toEqual({ perSecond: 5, burst: 10 });
    expect(parsed.quota.maxQueued).toBeUndefined();
    expect(parsed.quota.updatedAt).toEqual(new Date("2026-02-01T10:00:00Z"));
    expect("_id" in parsed.quota).toBe(false);
  });

  it("reports each problem with its field path", () => {
    expect(problemsOf(quotaDoc("acme", { rate: { perSecond: 0, burst: 3 } }))).toEqual([
      "rate.perSecond: must be > 0",
    ]);
    expect(problemsOf(quotaDoc("acme", { rate: { perSecond: 1, burst: 0 } }))).toEqual([
      "rate.burst: must be >= 1",
    ]);
    expect(problemsOf(quotaDoc("acme", { weight: 0, maxConcurrency: 2.5, status: "frozen" }))).toEqual([
      'status: must be one of "active" | "paused" | "suspended"',
      "weight: must be > 0",
      "maxConcurrency: must be an integer",
    ]);
    expect(problemsOf(quotaDoc("acme", { tier: undefined, version: -1 }))).toEqual([
      "tier: is required",
      "version: must be >= 0",
    ]);
    expect(problemsOf(null)).toEqual(["(document): must be an object"]);
  });

  it("checks cross-field rules", () => {
    expect(problemsOf(quotaDoc("acme", { minConcurrency: 5, maxConcurrency: 3 }))).toEqual([
      "minConcurrency: must be <= maxConcurrency (3)",
    ]);
    expect(problemsOf(quotaDoc("acme", { status: "suspended" }))).toEqual([
      "reason: is required when status is suspended",
    ]);
    expect(problemsOf(quotaDoc("acme", { status: "suspended", reason: "unpaid invoice" }))).toEqual([]);
    expect(problemsOf({ ...quotaDoc("acme"), _id: "other" })).toEqual(["_id: must equal tenantId (acme)"]);
  });

  it("names the tenant of a rejected document when it can", () => {
    const parsed = parseQuota(quotaDoc("acme", { weight: -1 }));
    expect(parsed.ok ? undefined : parsed.tenantId).toBe("acme");
    const anonymous = parseQuota({ weight: 1 });
    expect(anonymous.ok ? "ok" : anonymous.tenantId).toBeUndefined();
  });
});

describe("QuotaBook", () => {
  it("keeps the last valid quota when a later document is invalid, and records the problem", () => {
    const book = new QuotaBook();
    expect(book.apply(quotaDoc("acme", { maxConcurrency: 8, version: 1 })).kind).toBe("applied");
    const outcome = book.apply(quotaDoc("acme", { maxConcurrency: -1, version: 2 }));
    expect(outcome).toMatchObject({ kind: "rejected", tenantId: "acme", kept: { maxConcurrency: 8 } });
    expect(book.get(tid("acme"))?.maxConcurrency).toBe(8);
    expect(book.problemsOf(tid("acme"))).toEqual({
      problems: [{ path: "maxConcurrency", message: "must be >= 0" }],
      version: 2,
    });
    expect(book.rejected()).toMatchObject([{ tenantId: "acme", hasValidQuota: true }]);

    book.apply(quotaDoc("acme", { maxConcurrency: 3, version: 3 }));
    expect(book.get(tid("acme"))?.maxConcurrency).toBe(3);
    expect(book.problemsOf(tid("acme"))).toBeUndefined();
  });

  it("never schedules a tenant that never had a valid document", () => {
    const book = new QuotaBook();
    book.apply(quotaDoc("fresh", { weight: "heavy" }));
    expect(book.isSchedulable(tid("fresh"))).toBe(false);
    expect(book.get(tid("fresh"))).toBeUndefined();
    expect(book.rejected()).toMatchObject([{ tenantId: "fresh", hasValidQuota: false }]);
    expect(book.quotas().size).toBe(0);
  });

  it("ignores stale reads with a lower version, and forgets removed tenants", () => {
    const book = new QuotaBook();
    book.apply(quotaDoc("acme", { weight: 5, version: 4 }));
    expect(book.apply(quotaDoc("acme", { weight: 1, version: 3 }))).toMatchObject({
      kind: "stale",
      current: 4,
    });
    expect(book.get(tid("acme"))?.weight).toBe(5);
    expect(book.remove(tid("acme"))).toBe(true);
    expect(book.isSchedulable(tid("acme"))).toBe(false);
  });
});

describe("admit", () => {
  it("rejects unknown, suspended and full tenants", () => {
    expect(admit(undefined, 0)).toMatchObject({ ok: false, code: "unknown-tenant" });
    expect(admit(quota("acme", { status: "suspended", reason: "abuse" }), 0)).toMatchObject({
      ok: false,
      code: "suspended",
      message: "tenant suspended: abuse",
    });
    expect(admit(quota("acme", { maxQueued: 2 }), 2)).toMatchObject({ ok: false, code: "queue-full" });
    expect(admit(quota("acme", { maxQueued: 2, status: "paused" }), 1)).toEqual({ ok: true });
  });
});

describe("maxQueued full windows (issue 9, bug 6)", () => {
  it("rejects what was sent while the tenant was at or over its limit, and nothing else", () => {
    const w = new FullWindows();
    w.observe(100, 2, 3);
    expect(w.isOverLimit(150)).toBe(false); // below the limit: admitted
    w.observe(200, 3, 3); // full from 200
    expect(w.isOverLimit(199)).toBe(false); // sent before the tenant was seen full
    expect(w.isOverLimit(200)).toBe(false);
    expect(w.isOverLimit(201)).toBe(true);
    w.observe(300, 7, 3); // still full: same window
    w.observe(400, 1, 3); // room again at 400
    expect(w.windows).toEqual([{ from: 200, to: 400 }]);
    expect(w.isOverLimit(350)).toBe(true);
    expect(w.isOverLimit(401)).toBe(false);
    w.observe(500, 0, undefined); // limit removed: every window forgotten
    expect(w.isOverLimit(350)).toBe(false);
  });
  it("keeps a bounded number of windows", () => {
    const w = new FullWindows();
    for (let t = 0; t < 200; t += 2) {
      w.observe(t * 10, 5, 5);
      w.observe(t * 10 + 10, 0, 5);
    }
    expect(w.windows.length).toBe(MAX_WINDOWS);
  });
});
