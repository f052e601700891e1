/**
 * What the operators' routes (`/v1/ops/*`, the console) reach, built from a runtime: the fleet-level
 * collections (tenants, heartbeats, statistics, workflow versions, audit) and, for anything of one
 * tenant, the same tenant-scoped job operations the tenants' API uses (`api/jobs/`), called with that
 * tenant — an operator crosses tenants one tenant at a time, never around the scoped stores.
 */
import type { Collection, Db, Document } from "mongodb";
import type { Logger } from "pino";
import { createAuditLog, type AuditLog } from "../../shared/audit/audit-log.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import { tenantsCollection } from "../../shared/fleet/tenants-collection.ts";
import type { Runtime } from "../../shared/runtime/runtime.ts";
import {
  MongoWorkflowVersionStore,
  type WorkflowVersionStore,
} from "../../shared/workflows/version-store.ts";
import type { Reviews } from "../../workers/review.ts";
import type { JobActionDeps } from "../jobs/job-actions.ts";
import type { JobsApiDeps } from "../jobs/jobs-deps.ts";

export interface OpsDeps {
  readonly rt: Pick<Runtime, "config" | "queues" | "log" | "sqs" | "router" | "blobs">;
  /** Fleet-level: the shared database's `tenants`, heartbeats, statistics. */
  readonly db: Db;
  readonly tenants: Collection<Document>;
  readonly sqs: SqsPort;
  readonly audit: AuditLog;
  readonly versions: WorkflowVersionStore;
  readonly jobs: JobsApiDeps;
  readonly actions: JobActionDeps;
  readonly reviews: Reviews;
  readonly now: () => number;
  readonly log: Logger;
}

export function opsDeps(
  rt: Runtime,
  jobs: { deps: JobsApiDeps; actions: JobActionDeps },
  reviews: Reviews,
  now: () => number = Date.now,
): OpsDeps {
  const db = rt.fleetDb;
  return {
    rt,
    db,
    tenants: tenantsCollection(db),
    sqs: rt.sqs,
    audit: createAuditLog(db),
    versions: new MongoWorkflowVersionStore(db),
    jobs: jobs.deps,
    actions: jobs.actions,
    reviews,
    now,
    log: rt.log.child({ component: "ops-api" }),
  };
}
