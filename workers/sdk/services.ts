/**
 * What the worker lends every step's context besides the task itself: the tenant blob store, the
 * tenant's settings (cached tenant-document read) and the outbound limits. Built once per worker.
 */
import type { Logger } from "pino";
import type { BlobStore } from "../../shared/aws/s3.ts";
import type { OutboundLimits } from "../../shared/limits/outbound-limits.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { OutboundLimitsRegistry } from "./limiter.ts";
import { createTenantBlobs, unavailableBlobs, type TenantBlobs } from "./tenant-blobs.ts";
import {
  createTenantSettingsSource,
  noTenantSettings,
  type TenantSettingsSource,
} from "./tenant-settings-source.ts";

export interface StepServices {
  blobs(tenant: TenantId, jobId: string): TenantBlobs;
  settings: TenantSettingsSource;
  limits: OutboundLimitsRegistry;
}

export interface StepServicesDeps {
  blobs: BlobStore;
  /** Reads a tenant document by `{ tenantId: tenant }` (or null). */
  findTenant: (tenant: TenantId) => Promise<unknown>;
  outbound: OutboundLimits;
  log: Logger;
  now?: () => number;
  /** How long a tenant document's settings are reused; default 5 s. */
  settingsTtlMs?: number;
}

export function createStepServices(deps: StepServicesDeps): StepServices {
  const settings = createTenantSettingsSource({
    find: deps.findTenant,
    ttlMs: deps.settingsTtlMs ?? 5000,
    now: deps.now ?? Date.now,
    log: deps.log,
  });
  return {
    blobs: (tenant, jobId) => createTenantBlobs(deps.blobs, tenant, jobId),
    settings,
    limits: new OutboundLimitsRegistry({
      config: deps.outbound,
      tenantOverrides: async (tenant) => (await settings.get(tenant)).outbound,
    }),
  };
}

/** Services for a registry run without a runtime (unit tests, benches): no blobs, no settings, no limits. */
export function bareStepServices(): StepServices {
  return {
    blobs: () => unavailableBlobs(),
    settings: noTenantSettings,
    limits: new OutboundLimitsRegistry({ config: {}, tenantOverrides: () => Promise.resolve(undefined) }),
  };
}
