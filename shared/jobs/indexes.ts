/**
 * Indexes the job store relies on. Call once per database that holds jobs (the shared database and
 * each dedicated tenant's). `createIndexes` is idempotent, so calling it at every start-up is fine.
 *
 * The unique `{ tenantId, idempotencyKey }` index is what makes `JobStore.create` idempotent; the
 * others serve the sweeper queries and per-tenant listings on real MongoDB (mongo-java-server scans).
 */
import type { Db } from "mongodb";
import { COLLECTIONS } from "./collections.ts";

export const JOB_INDEXES = [
  { key: { tenantId: 1, idempotencyKey: 1 }, name: "jobs_tenant_idempotency_unique", unique: true },
  { key: { status: 1, "lease.expiresAt": 1 }, name: "jobs_status_lease_expiry" },
  { key: { status: 1, wakeAt: 1 }, name: "jobs_status_wake_at" },
  { key: { status: 1, updatedAt: 1 }, name: "jobs_status_updated_at" },
  { key: { tenantId: 1, status: 1, priority: -1, createdAt: 1 }, name: "jobs_tenant_status_priority" },
] as const;

export async function ensureJobIndexes(db: Db): Promise<void> {
  await db.collection(COLLECTIONS.jobs).createIndexes(JOB_INDEXES.map((i) => ({ ...i, key: { ...i.key } })));
}
