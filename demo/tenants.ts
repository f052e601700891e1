import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import { tenantId } from "../shared/tenancy/tenant-id.ts";

/** The quota fields the demo sets on a tenant document (see scheduler/quota/schema.ts). */
export interface DemoQuota {
  readonly weight: number;
  readonly maxConcurrency: number;
  readonly minConcurrency: number;
  readonly rate: { perSecond: number; burst: number } | null;
}

/** One of the demo's three tenants: who it is, its quota, and its share of the documents. */
export interface DemoTenant {
  readonly id: TenantId;
  /** What the tenant stands for, shown in the report. */
  readonly role: string;
  readonly quota: DemoQuota;
  /** Its share of the documents (the flooding tenant sends most). */
  readonly docsShare: number;
  /** Confidence under which its jobs stop for a human (tenant step setting `review.minConfidence`). */
  readonly reviewMinConfidence: number;
}

/**
 * Three tenants that compete for two workers: a small one with a low cap, a large one that floods
 * the fleet with most of the documents, and an enterprise one with the largest weight and a
 * guaranteed minimum. Weights 1 : 2 : 4 — the report compares each tenant's share of the fleet with
 * its weight's share.
 */
export const DEMO_TENANTS: readonly DemoTenant[] = [
  {
    id: tenantId("small-co"),
    role: "small: weight 1, at most 4 jobs at once (parked reviews count), review under 0.8",
    quota: { weight: 1, maxConcurrency: 4, minConcurrency: 0, rate: { perSecond: 5, burst: 5 } },
    docsShare: 0.15,
    reviewMinConfidence: 0.8,
  },
  {
    id: tenantId("bulk-corp"),
    role: "large, floods the queue: weight 2, at most 40 at once, review under 0.6",
    quota: { weight: 2, maxConcurrency: 40, minConcurrency: 0, rate: null },
    docsShare: 0.6,
    reviewMinConfidence: 0.6,
  },
  {
    id: tenantId("enterprise"),
    role: "enterprise: weight 4, 2 guaranteed, at most 20 at once, review under 0.9",
    quota: { weight: 4, maxConcurrency: 20, minConcurrency: 2, rate: null },
    docsShare: 0.25,
    reviewMinConfidence: 0.9,
  },
];

/** How many of `total` documents each tenant gets (each at least one; the rest to the flooder). */
export function splitDocuments(total: number, tenants: readonly DemoTenant[]): Map<TenantId, number> {
  const out = new Map<TenantId, number>();
  let given = 0;
  for (const t of tenants) {
    const n = Math.max(1, Math.floor(total * t.docsShare));
    out.set(t.id, n);
    given += n;
  }
  const flooder = tenants.reduce((a, b) => (b.docsShare > a.docsShare ? b : a));
  out.set(flooder.id, Math.max(1, (out.get(flooder.id) ?? 0) + (total - given)));
  return out;
}

/** The weight's share of the total weight, per tenant (what fair share promises under contention). */
export function weightShares(tenants: readonly DemoTenant[]): Map<TenantId, number> {
  const sum = tenants.reduce((n, t) => n + t.quota.weight, 0);
  return new Map(tenants.map((t) => [t.id, t.quota.weight / sum]));
}
