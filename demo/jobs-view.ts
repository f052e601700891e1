import type { JobDoc } from "../shared/jobs/job-doc.ts";
import { COLLECTIONS } from "../shared/mongo/collections.ts";
import type { Runtime } from "../shared/runtime/runtime.ts";
import { tenantCollection } from "../shared/tenancy/scoped-collection.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import type { JobView } from "./progress.ts";

const VIEW_FIELDS = {
  _id: 1,
  tenantId: 1,
  idempotencyKey: 1,
  status: 1,
  createdAt: 1,
  startedAt: 1,
  finishedAt: 1,
  updatedAt: 1,
} as const;

/** The run's jobs of `tenants` (only the fields the live view needs; tenant-scoped reads). */
export async function readJobViews(
  rt: Runtime,
  tenants: readonly TenantId[],
  runId: string,
): Promise<JobView[]> {
  const per = await Promise.all(
    tenants.map((t) =>
      tenantCollection<JobDoc>(rt.router, t, COLLECTIONS.jobs)
        .find({ idempotencyKey: { $regex: `^${runId}-` } }, { projection: VIEW_FIELDS })
        .toArray(),
    ),
  );
  return per.flat().map((d) => ({
    tenantId: d.tenantId,
    jobId: d._id,
    idempotencyKey: d.idempotencyKey,
    status: d.status,
    createdAt: d.createdAt,
    startedAt: d.startedAt ?? null,
    finishedAt: d.finishedAt ?? null,
    updatedAt: d.updatedAt,
  }));
}

/** The run's full job documents of `tenants` (for the report). */
export async function readJobDocs(
  rt: Runtime,
  tenants: readonly TenantId[],
  runId: string,
): Promise<JobDoc[]> {
  const per = await Promise.all(
    tenants.map((t) =>
      tenantCollection<JobDoc>(rt.router, t, COLLECTIONS.jobs)
        .find({ idempotencyKey: { $regex: `^${runId}-` } })
        .toArray(),
    ),
  );
  return per.flat();
}
