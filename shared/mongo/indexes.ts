import type { CreateIndexesOptions, Db, IndexSpecification } from "mongodb";
import { COLLECTIONS, type CollectionName } from "./collections.ts";

export interface IndexDef {
  readonly collection: CollectionName;
  readonly name: string;
  readonly keys: IndexSpecification;
  readonly options?: Omit<CreateIndexesOptions, "name">;
}

/** Every index Sluice relies on, named explicitly so `ensureIndexes` can tell created from found. */
export const INDEXES: readonly IndexDef[] = [
  // Jobs: the unique key makes JobStore.create idempotent; the rest serve the sweeper queries and
  // per-tenant listings on real MongoDB (mongo-java-server scans regardless).
  {
    collection: COLLECTIONS.jobs,
    name: "jobs_tenant_idempotency_unique",
    keys: { tenantId: 1, idempotencyKey: 1 },
    options: { unique: true },
  },
  {
    collection: COLLECTIONS.jobs,
    name: "jobs_status_lease_expiry",
    keys: { status: 1, "lease.expiresAt": 1 },
  },
  { collection: COLLECTIONS.jobs, name: "jobs_status_wake_at", keys: { status: 1, wakeAt: 1 } },
  {
    collection: COLLECTIONS.jobs,
    name: "jobs_status_review_timeout",
    keys: { status: 1, "review.timeoutAt": 1 },
  },
  { collection: COLLECTIONS.jobs, name: "jobs_status_updated_at", keys: { status: 1, updatedAt: 1 } },
  {
    collection: COLLECTIONS.jobs,
    name: "jobs_tenant_status_priority",
    keys: { tenantId: 1, status: 1, priority: -1, createdAt: 1 },
  },
  {
    // The API's job list and `sluice jobs list`: a tenant's jobs newest first (JobStore.listPage).
    collection: COLLECTIONS.jobs,
    name: "jobs_tenant_created",
    keys: { tenantId: 1, createdAt: -1, _id: -1 },
  },
  {
    collection: COLLECTIONS.tenants,
    name: "tenant_unique",
    keys: { tenantId: 1 },
    options: { unique: true },
  },
  { collection: COLLECTIONS.usage, name: "tenant_unique", keys: { tenantId: 1 }, options: { unique: true } },
  {
    collection: COLLECTIONS.workers,
    name: "worker_unique",
    keys: { workerId: 1 },
    options: { unique: true },
  },
  {
    collection: COLLECTIONS.sweepers,
    name: "sweeper_unique",
    keys: { sweeperId: 1 },
    options: { unique: true },
  },
  {
    collection: COLLECTIONS.schedulerStats,
    name: "scheduler_tenant_unique",
    keys: { schedulerId: 1, tenantId: 1 },
    options: { unique: true },
  },
  // The audit trail: listed per tenant, newest first.
  { collection: COLLECTIONS.audit, name: "audit_tenant_at", keys: { tenantId: 1, at: -1, _id: -1 } },
  // A replica reads its own leases back when a renewal matched fewer than it held.
  { collection: COLLECTIONS.schedulerLeases, name: "kind_owner", keys: { kind: 1, owner: 1 } },
  // Documents of schedulers that stopped go a day after their last write.
  {
    collection: COLLECTIONS.schedulerStats,
    name: "at_ttl",
    keys: { at: 1 },
    options: { expireAfterSeconds: 86_400 },
  },
];

export interface EnsureIndexesReport {
  /** `collection.name` of each index this call created. */
  readonly created: string[];
  readonly found: string[];
}

async function existingNames(db: Db, collection: string): Promise<Set<string>> {
  try {
    const list = await db.collection(collection).listIndexes().toArray();
    return new Set(list.map((i) => String(i.name)));
  } catch (err) {
    // NamespaceNotFound (26): the collection does not exist yet.
    if ((err as { code?: number }).code === 26) return new Set();
    throw err;
  }
}

/** Creates every missing index; idempotent (and safe to run concurrently: createIndex is a no-op if present). */
export async function ensureIndexes(db: Db): Promise<EnsureIndexesReport> {
  const created: string[] = [];
  const found: string[] = [];
  const byCollection = new Map<string, IndexDef[]>();
  for (const def of INDEXES)
    byCollection.set(def.collection, [...(byCollection.get(def.collection) ?? []), def]);
  for (const [collection, defs] of byCollection) {
    const existing = await existingNames(db, collection);
    for (const def of defs) {
      const label = `${collection}.${def.name}`;
      if (existing.has(def.name)) {
        found.push(label);
        continue;
      }
      await db.collection(collection).createIndex(def.keys, { ...def.options, name: def.name });
      created.push(label);
    }
  }
  return { created, found };
}
