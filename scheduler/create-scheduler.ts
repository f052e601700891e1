import type { Runtime } from "../shared/runtime/runtime.ts";
import { COLLECTIONS } from "../shared/mongo/collections.ts";
import { TenantIdSchema, type TenantId } from "../shared/tenancy/tenant-id.ts";
import type { WorkflowCatalog } from "../shared/workflows/catalog.ts";
import { SimpleReleaseLoop } from "./simple-release-loop.ts";

/**
 * The tenants to serve: every tenant document with status `active`. This is an operator-level,
 * cross-tenant read of the `tenants` collection (quotas are not tenant data).
 */
async function activeTenants(rt: Runtime): Promise<TenantId[]> {
  const docs = await rt.mongo
    .db()
    .collection(COLLECTIONS.tenants)
    .find({ status: "active" }, { projection: { tenantId: 1 } })
    .toArray();
  return docs.flatMap((d) => {
    const parsed = TenantIdSchema.safeParse(d.tenantId);
    return parsed.success ? [parsed.data] : [];
  });
}

export function createSimpleScheduler(rt: Runtime, catalog: WorkflowCatalog): SimpleReleaseLoop {
  return new SimpleReleaseLoop({
    sqs: rt.sqs,
    workQueueUrl: rt.queues.work,
    workflowVersion: (name) => catalog.get(name)?.version,
    now: Date.now,
    log: rt.log.child({ component: "scheduler" }),
    jobsOf: (t) => rt.jobsOf(t),
    tenants: async () =>
      Promise.all(
        (await activeTenants(rt)).map(async (tenantId) => ({
          tenantId,
          queues: await rt.queues.intake(tenantId),
        })),
      ),
  });
}
