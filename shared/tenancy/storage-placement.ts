/**
 * Where each tenant's objects go, read from its tenant document (`storage.bucket`,
 * `storage.kmsKeyId`; the document is the one source of truth) and cached for `ttlMs`. A tenant
 * without a document or without those fields uses the fleet bucket and its default encryption. A
 * document whose `storage` is invalid is refused (`TenantStorageError`) rather than written to the
 * wrong bucket or without its key.
 */
import type { Collection, Document } from "mongodb";
import type { ObjectPlacement } from "../aws/encryption.ts";
import type { TenantId } from "./tenant-id.ts";
import { TenantStorageSchema } from "./tenant-storage.ts";

export class TenantStorageError extends Error {
  readonly code = "InvalidTenantStorage";
  constructor(message: string) {
    super(message);
    this.name = "TenantStorageError";
  }
}

export interface PlacementSource {
  placementOf(tenant: TenantId): Promise<ObjectPlacement>;
  /** Forget the cached placement (after an operator changed `storage`). */
  invalidate(tenant: TenantId): void;
}

/** How long a process reuses a tenant's placement before reading its document again (default). */
export const PLACEMENT_TTL_MS = 30_000;

export interface PlacementOptions {
  readonly fleetBucket: string;
  /** How long a tenant's placement is reused before the document is read again; default 30 s. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** The placement `storage` gives (pure). */
export function placementFrom(fleetBucket: string, tenant: TenantId, storage: unknown): ObjectPlacement {
  if (storage === undefined || storage === null) return { bucket: fleetBucket };
  const parsed = TenantStorageSchema.safeParse(storage);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new TenantStorageError(
      `tenant ${tenant}: storage.${first?.path.map(String).join(".") ?? ""} is invalid: ${first?.message ?? "?"}`,
    );
  }
  const { bucket, kmsKeyId } = parsed.data;
  return { bucket: bucket ?? fleetBucket, ...(kmsKeyId !== undefined ? { kmsKeyId } : {}) };
}

export function createPlacementSource(
  tenants: Collection<Document>,
  options: PlacementOptions,
): PlacementSource {
  const ttl = options.ttlMs ?? PLACEMENT_TTL_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; placement: Promise<ObjectPlacement> }>();
  return {
    placementOf(tenant) {
      const hit = cache.get(tenant);
      if (hit && now() - hit.at < ttl) return hit.placement;
      const placement = tenants
        // One tenant document per tenant (unique index on tenantId): the filter names the tenant.
        .findOne({ tenantId: tenant }, { projection: { _id: 0, storage: 1 } })
        .then((doc) => placementFrom(options.fleetBucket, tenant, doc?.["storage"]));
      placement.catch(() => {
        if (cache.get(tenant)?.placement === placement) cache.delete(tenant);
      });
      cache.set(tenant, { at: now(), placement });
      return placement;
    },
    invalidate(tenant) {
      cache.delete(tenant);
    },
  };
}
