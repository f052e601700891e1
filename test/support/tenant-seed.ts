/**
 * Seeding a tenant's documents for the move and offboarding tests: its tenant document and a run of
 * queued jobs created through the job store (as the intake path creates them).
 */
import type { Db, Document } from "mongodb";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { newQueuedJob, type NewJobParams } from "../../shared/jobs/job-doc.ts";
import type { JobStore } from "../../shared/jobs/job-store.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

/**
 * An active shared-tier tenant document (weight 1, cap 10, no minimum, no rate) at `version`, with
 * `extra` fields (e.g. `storage`) added.
 */
export async function insertTenantDoc(
  db: Db,
  tenant: TenantId,
  version = 1,
  extra: Readonly<Document> = {},
): Promise<void> {
  await db.collection<Document>(COLLECTIONS.tenants).insertOne({
    _id: tenant as never,
    tenantId: tenant,
    status: "active",
    tier: "shared",
    weight: 1,
    maxConcurrency: 10,
    minConcurrency: 0,
    rate: null,
    updatedAt: new Date(),
    version,
    ...extra,
  });
}

/** `count` queued jobs of `tenant`, the i-th with `job(i)`'s key, workflow and input; their ids in order. */
export async function createQueuedJobs(
  store: JobStore,
  tenant: TenantId,
  count: number,
  job: (i: number) => Pick<NewJobParams, "idempotencyKey" | "workflow" | "input">,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = newJobId(Date.now() + i);
    ids.push(id);
    const { idempotencyKey, workflow, input } = job(i);
    await store.create(
      newQueuedJob({ jobId: id, tenantId: tenant, idempotencyKey, workflow, input }, Date.now()),
    );
  }
  return ids;
}
