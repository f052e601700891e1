/**
 * The job operations' dependencies over a runtime: the runtime's tenant-scoped job stores, its SQS,
 * S3 and payload ports, the scheduler's workflow versions, a short-lived read of the tenant's quota
 * document, and the operators' cancel/retry/review commands.
 */
import { createAuditLog } from "../../shared/audit/audit-log.ts";
import { tenantsCollection } from "../../shared/fleet/tenants-collection.ts";
import type { Runtime } from "../../shared/runtime/runtime.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { UsageLedger } from "../../shared/usage/ledger.ts";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import type { WorkflowCatalog } from "../../shared/workflows/catalog.ts";
import { createWorkflowVersions } from "../../shared/workflows/versions.ts";
import { parseQuota, type Quota } from "../../scheduler/quota/schema.ts";
import { Reviews } from "../../workers/review.ts";
import { createIntakeConfirmations } from "./intake-confirmations.ts";
import type { JobActionDeps } from "./job-actions.ts";
import type { JobsApiDeps, JobsApiSettings } from "./jobs-deps.ts";

/** How long a read quota document answers admission (the scheduler polls every 500 ms). */
export const QUOTA_CACHE_MS = 1_000;

/** The workflows new jobs may use: a catalog, or the scheduler's fleet catalog with its refresh. */
export type CatalogSource =
  WorkflowCatalog | { readonly current: () => WorkflowCatalog; readonly refresh: () => Promise<boolean> };

export function jobsApiDeps(
  rt: Runtime,
  source: CatalogSource,
  settings: JobsApiSettings,
  now: () => number = Date.now,
): {
  deps: JobsApiDeps;
  actions: JobActionDeps;
  /** Writes the submissions' pending intake confirmations (call it before closing the runtime). */
  flush: () => Promise<void>;
} {
  const catalog = "current" in source ? source.current : () => source;
  const refresh = "current" in source ? source.refresh : async () => false;
  const workflows = createWorkflowVersions(rt, catalog, now);
  const db = rt.fleetDb;
  const log = rt.log.child({ component: "jobs-api" });
  const usage = new UsageStore(rt.router, { now, log });
  const confirmations = createIntakeConfirmations({ jobsOf: (t) => rt.jobsOf(t), log });
  const deps: JobsApiDeps = {
    jobsOf: (t) => rt.jobsOf(t),
    sqs: rt.sqs,
    intakeQueue: (t) => rt.queues.intake(t),
    blobs: rt.blobs,
    payloads: rt.payloads,
    // As the scheduler: a workflow refused now is checked again after the catalog's refresh.
    workflowVersion: async (name) => {
      const check = await workflows.current(name);
      if (check.ok || !(await refresh())) return check;
      return workflows.current(name);
    },
    catalog,
    quota: quotaReader(rt, now),
    now,
    log,
    settings,
    intakeSent: (tenant, jobId) => confirmations.sent(tenant, jobId),
    tracing: rt.tracing,
  };
  const actions: JobActionDeps = {
    commands: {
      db,
      jobsOf: (t) => rt.jobsOf(t),
      usage,
      ledger: new UsageLedger(rt.router, usage, { now, log }),
      sqs: rt.sqs,
      workQueueUrl: rt.queues.work,
      now,
      audit: createAuditLog(db),
    },
    reviews: new Reviews({
      jobsOf: (t) => rt.jobsOf(t),
      workflows,
      payloads: rt.payloads,
      sqs: rt.sqs,
      workQueueUrl: rt.queues.work,
      now,
      log: rt.log.child({ component: "review" }),
      audit: createAuditLog(db),
    }),
  };
  return { deps, actions, flush: () => confirmations.flush() };
}

/** The tenant's valid quota, read at most once per `QUOTA_CACHE_MS` per tenant. */
function quotaReader(rt: Runtime, now: () => number) {
  const cache = new Map<TenantId, { at: number; quota: Promise<Quota | undefined> }>();
  const tenants = tenantsCollection(rt.fleetDb);
  return (tenant: TenantId): Promise<Quota | undefined> => {
    const hit = cache.get(tenant);
    if (hit !== undefined && now() - hit.at < QUOTA_CACHE_MS) return hit.quota;
    const quota = tenants.findOne({ $or: [{ tenantId: tenant }, { _id: tenant as never }] }).then((doc) => {
      const q = doc === null ? undefined : parseQuota(doc);
      return q?.ok === true ? q.quota : undefined;
    });
    quota.catch(() => cache.delete(tenant));
    if (cache.size > 10_000) cache.clear();
    cache.set(tenant, { at: now(), quota });
    return quota;
  };
}
