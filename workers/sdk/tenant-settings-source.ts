/**
 * The worker's cached read of tenant documents for `ctx.settings` and the outbound limit overrides:
 * one `findOne({ tenantId })` (projected to `steps` and `outbound`) per tenant per `ttlMs`, shared
 * by concurrent callers. An invalid section is logged with its field paths and the tenant's last
 * valid settings (or none) keep applying, as the scheduler does for quotas.
 */
import type { Logger } from "pino";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import {
  NO_TENANT_SETTINGS,
  TenantWorkerSettingsSchema,
  type TenantWorkerSettings,
} from "../../shared/tenancy/tenant-settings.ts";

export interface TenantSettingsSource {
  get(tenant: TenantId): Promise<TenantWorkerSettings>;
}

export interface TenantSettingsSourceDeps {
  /** Reads the tenant's document (or null): filter `{ tenantId: tenant }`. */
  find: (tenant: TenantId) => Promise<unknown>;
  ttlMs: number;
  now: () => number;
  log: Logger;
}

interface Entry {
  at: number;
  value: TenantWorkerSettings;
  pending?: Promise<TenantWorkerSettings> | undefined;
}

export function createTenantSettingsSource(deps: TenantSettingsSourceDeps): TenantSettingsSource {
  const cache = new Map<TenantId, Entry>();
  async function load(tenant: TenantId, previous: TenantWorkerSettings): Promise<TenantWorkerSettings> {
    const doc = await deps.find(tenant);
    if (doc === null || doc === undefined) return NO_TENANT_SETTINGS;
    const parsed = TenantWorkerSettingsSchema.safeParse(doc);
    if (parsed.success) return parsed.data;
    deps.log.warn(
      {
        tenantId: tenant,
        problems: parsed.error.issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`),
      },
      "tenant document's steps/outbound settings are invalid; its last valid settings keep applying",
    );
    return previous;
  }
  return {
    get(tenant) {
      const entry = cache.get(tenant);
      const t = deps.now();
      if (entry && t - entry.at < deps.ttlMs) return Promise.resolve(entry.value);
      if (entry?.pending) return entry.pending;
      const previous = entry?.value ?? NO_TENANT_SETTINGS;
      const pending = load(tenant, previous).then(
        (value) => {
          cache.set(tenant, { at: deps.now(), value });
          return value;
        },
        (err: unknown) => {
          const current = cache.get(tenant);
          if (current) current.pending = undefined;
          throw err;
        },
      );
      if (entry) entry.pending = pending;
      else cache.set(tenant, { at: Number.NEGATIVE_INFINITY, value: previous, pending });
      return pending;
    },
  };
}

/** A source with no documents (tests, a bare registry): every tenant has no settings. */
export const noTenantSettings: TenantSettingsSource = { get: () => Promise.resolve(NO_TENANT_SETTINGS) };
