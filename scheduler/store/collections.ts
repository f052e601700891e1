import type { Db } from "mongodb";
import { COLLECTIONS } from "../../shared/jobs/collections.ts";

/**
 * Collections the scheduler's store uses besides the shared ones in `shared/jobs/collections.ts`
 * (`tenants`, `usage`, `jobs`). `workers` holds one heartbeat document per worker process; it is
 * fleet-level (not tenant data), so it lives here rather than in the tenant-scoped list.
 */
export const SCHEDULER_COLLECTIONS = {
  /** One heartbeat document per worker: `{ workerId, slots, busy, at }` (see capacity.ts). */
  workers: "workers",
  /** One document per released job: who of scheduler and worker accounted for its slot (loop/usage-ledger.ts). */
  usageLedger: "usage_ledger",
} as const;

/**
 * Indexes the scheduler store relies on. The `usage` index has the same name and keys as the one in
 * `shared/mongo/indexes.ts`, so either module may create it first (real MongoDB refuses the same keys
 * under two names).
 */
export const SCHEDULER_INDEXES = [
  { collection: COLLECTIONS.usage, name: "tenant_unique", keys: { tenantId: 1 }, unique: true },
  { collection: SCHEDULER_COLLECTIONS.workers, name: "worker_unique", keys: { workerId: 1 }, unique: true },
] as const;

/** Creates the scheduler store's indexes; idempotent, safe at every start-up. */
export async function ensureSchedulerIndexes(db: Db): Promise<void> {
  for (const def of SCHEDULER_INDEXES) {
    await db.collection(def.collection).createIndex({ ...def.keys }, { name: def.name, unique: def.unique });
  }
}
