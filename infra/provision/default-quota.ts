import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

/**
 * The quota document provisioning gives a tenant that has none. Field meanings: weight (fair share),
 * maxConcurrency (cap on running jobs), minConcurrency (guaranteed minimum), rate (token bucket on
 * releases), version (bumped by every edit; readers keep the last valid version).
 */
export interface DefaultTenantQuota {
  tenantId: TenantId;
  status: "active";
  tier: "shared";
  weight: number;
  maxConcurrency: number;
  minConcurrency: number;
  rate: { perSecond: number; burst: number };
  updatedAt: Date;
  version: number;
}

export function defaultTenantQuota(tenantId: TenantId, now: Date): DefaultTenantQuota {
  return {
    tenantId,
    status: "active",
    tier: "shared",
    weight: 1,
    maxConcurrency: 10,
    minConcurrency: 0,
    rate: { perSecond: 50, burst: 100 },
    updatedAt: now,
    version: 1,
  };
}
