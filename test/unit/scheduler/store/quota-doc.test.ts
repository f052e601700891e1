import { describe, expect, it } from "vitest";
import { ObjectId } from "mongodb";
import {
  canonical,
  docHash,
  docKey,
  normalizeQuotaDoc,
  updatedAtMs,
} from "../../../../scheduler/store/quota-doc.ts";
import { parseQuota } from "../../../../scheduler/quota/schema.ts";
import { quotaDoc } from "../helpers.ts";

describe("tenant document helpers", () => {
  it("reads updatedAt as a Date, epoch ms or ISO string", () => {
    const ms = Date.UTC(2026, 0, 1);
    expect(updatedAtMs({ updatedAt: new Date(ms) })).toBe(ms);
    expect(updatedAtMs({ updatedAt: ms })).toBe(ms);
    expect(updatedAtMs({ updatedAt: "2026-01-01T00:00:00Z" })).toBe(ms);
    expect(updatedAtMs({ updatedAt: "yesterday" })).toBeUndefined();
    expect(updatedAtMs({ updatedAt: new Date(NaN) })).toBeUndefined();
    expect(updatedAtMs({})).toBeUndefined();
    expect(updatedAtMs(null)).toBeUndefined();
  });

  it("normalizes an epoch-ms updatedAt so the quota schema accepts it, and leaves other problems alone", () => {
    const doc = quotaDoc("acme", { updatedAt: Date.UTC(2026, 0, 1) });
    expect(parseQuota(doc).ok).toBe(false);
    const parsed = parseQuota(normalizeQuotaDoc(doc));
    expect(parsed.ok && parsed.quota.updatedAt.getTime()).toBe(Date.UTC(2026, 0, 1));
    const bad = parseQuota(normalizeQuotaDoc(quotaDoc("acme", { updatedAt: 5, weight: 0 })));
    expect(!bad.ok && bad.problems.map((p) => p.path)).toEqual(["weight"]);
    expect(normalizeQuotaDoc("x")).toBe("x");
  });

  it("hashes ignore key order but see every value change, including dates and ObjectIds", () => {
    const id = new ObjectId();
    const a = { _id: id, b: 1, a: { y: [1, 2], x: new Date(0) } };
    const b = { a: { x: new Date(0), y: [1, 2] }, b: 1, _id: new ObjectId(id.toHexString()) };
    expect(docHash(a)).toBe(docHash(b));
    expect(docHash(a)).not.toBe(docHash({ ...a, b: 2 }));
    expect(docHash(a)).not.toBe(docHash({ ...a, a: { y: [1, 2], x: new Date(1) } }));
    expect(canonical({ n: "1" })).not.toBe(canonical({ n: 1 }));
    expect(docKey({ _id: id })).toBe(`O${id.toHexString()}`);
    expect(docKey({ _id: "acme" })).toBe('"acme"');
  });
});
