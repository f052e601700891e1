import pino from "pino";
import { describe, expect, it } from "vitest";
import { effectiveLimits } from "../../../shared/limits/outbound-limits.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { createTenantSettingsSource } from "../../../workers/sdk/tenant-settings-source.ts";
import { parseQuota } from "../../../scheduler/quota/schema.ts";

const acme = tenantId("acme");
const log = pino({ level: "silent" });

describe("tenant settings for steps (cached tenant-document read)", () => {
  it("reads once per ttl, then again; concurrent callers share one read", async () => {
    let t = 0;
    let reads = 0;
    const docs: unknown[] = [
      { steps: { review: { minConfidence: 0.9 } } },
      { steps: { review: { minConfidence: 0.5 } } },
    ];
    const src = createTenantSettingsSource({
      find: async () => docs[Math.min(reads++, docs.length - 1)],
      ttlMs: 1000,
      now: () => t,
      log,
    });
    const [a, b] = await Promise.all([src.get(acme), src.get(acme)]);
    expect(a.steps["review"]).toEqual({ minConfidence: 0.9 });
    expect(b).toBe(a);
    expect(reads).toBe(1);
    t = 999;
    expect((await src.get(acme)).steps["review"]).toEqual({ minConfidence: 0.9 });
    t = 1000;
    expect((await src.get(acme)).steps["review"]).toEqual({ minConfidence: 0.5 });
    expect(reads).toBe(2);
  });

  it("no document or no sections: no settings", async () => {
    const src = createTenantSettingsSource({ find: async () => null, ttlMs: 1, now: () => 0, log });
    expect(await src.get(acme)).toEqual({ steps: {}, outbound: {} });
  });

  it("an invalid section keeps the last valid settings", async () => {
    let t = 0;
    let doc: unknown = { steps: { review: { minConfidence: 0.9 } } };
    const src = createTenantSettingsSource({ find: async () => doc, ttlMs: 10, now: () => t, log });
    await src.get(acme);
    doc = { steps: { review: "not an object" }, outbound: { openai: { concurrency: 0 } } };
    t = 100;
    expect((await src.get(acme)).steps["review"]).toEqual({ minConfidence: 0.9 });
  });

  it("a failed read is retried by the next caller", async () => {
    let fail = true;
    const src = createTenantSettingsSource({
      find: async () => {
        if (fail) throw new Error("mongo down");
        return { steps: { x: { a: 1 } } };
      },
      ttlMs: 1000,
      now: () => 0,
      log,
    });
    await expect(src.get(acme)).rejects.toThrow("mongo down");
    fail = false;
    expect((await src.get(acme)).steps["x"]).toEqual({ a: 1 });
  });

  it("the scheduler's quota schema validates the same sections", () => {
    const base = {
      tenantId: "acme",
      status: "active",
      tier: "shared",
      weight: 1,
      maxConcurrency: 1,
      minConcurrency: 0,
      updatedAt: new Date(0),
      version: 1,
    };
    expect(parseQuota({ ...base, steps: { review: { minConfidence: 0.8 } } }).ok).toBe(true);
    const bad = parseQuota({ ...base, outbound: { openai: { concurrency: 0 } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]?.path).toBe("outbound.openai.concurrency");
  });
});

describe("effective outbound limits (pure)", () => {
  const config = {
    openai: { concurrency: 8, requestsPerMinute: 600, perTenant: { concurrency: 2, tokensPerMinute: 1000 } },
  };
  it("the provider's limits, and the tenant's share from perTenant", () => {
    expect(effectiveLimits(config, "openai", undefined)).toEqual({
      provider: { concurrency: 8, requestsPerMinute: 600 },
      tenant: { concurrency: 2, tokensPerMinute: 1000 },
    });
  });
  it("a tenant override replaces its share field by field", () => {
    expect(effectiveLimits(config, "openai", { openai: { concurrency: 4 } }).tenant).toEqual({
      concurrency: 4,
      tokensPerMinute: 1000,
    });
  });
  it("an unconfigured provider limits only by the tenant's override", () => {
    expect(effectiveLimits(config, "bedrock", { bedrock: { concurrency: 1 } })).toEqual({
      provider: {},
      tenant: { concurrency: 1 },
    });
  });
});
