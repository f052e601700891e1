import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { TenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { Backlog } from "../../../scheduler/quota/priority.ts";
import { parseQuota } from "../../../scheduler/quota/schema.ts";
import type { Quota, QuotaDoc } from "../../../scheduler/quota/schema.ts";
import type { TenantSnapshot } from "../../../scheduler/fairshare/decide.ts";

/** A valid quota document for `id`, with overrides. */
export function quotaDoc(
  id: string,
  overrides: Partial<Record<keyof QuotaDoc, unknown>> = {},
): Record<string, unknown> {
  return {
    _id: id,
    tenantId: id,
    status: "active",
    tier: "shared",
    weight: 1,
    maxConcurrency: 1000,
    minConcurrency: 0,
    updatedAt: new Date("2026-01-01T00:00:00Z"),
    version: 1,
    ...overrides,
  };
}

/** A parsed quota (throws if the overrides make it invalid). */
export function quota(id: string, overrides: Partial<Record<keyof QuotaDoc, unknown>> = {}): Quota {
  const parsed = parseQuota(quotaDoc(id, overrides));
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join("; "));
  return parsed.quota;
}

export function tid(id: string): TenantId {
  return tenantId(id);
}

export function backlog(normal: number, high = 0, low = 0): Backlog {
  return { high, normal, low };
}

export function snapshot(
  id: string,
  q: Partial<Record<keyof QuotaDoc, unknown>> | undefined,
  queued: Backlog | number,
  running = 0,
): TenantSnapshot {
  return {
    tenantId: tid(id),
    quota: q === undefined ? undefined : quota(id, q),
    backlog: typeof queued === "number" ? backlog(queued) : queued,
    running,
  };
}

/** Tenant ids t00, t01, ... (sortable). */
export function tenantName(i: number): string {
  return `t${String(i).padStart(4, "0")}`;
}
