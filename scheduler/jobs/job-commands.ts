/**
 * Operators' cancel and retry of a job, with the scheduler's accounting around the job store's named
 * operations (shared/jobs/job-store.ts `cancel` / `retry`).
 *
 * - cancel: the store writes `cancelled` (refused on a terminal job); then the job's running slot is
 *   given back through the usage ledger, exactly once (a running worker that loses its next CAS
 *   reports `lost`, finds the job terminal and settles it again: a repeat, no second give-back).
 * - retry: a new attempt takes a running slot like a release does (`UsageStore.tryAcquire` with the
 *   tenant's `maxConcurrency` and daily quota). A tenant at its cap is REFUSED with a clear message
 *   (the operator retries later; nothing is queued behind the scheduler's back). With the slot held,
 *   the store puts the job back to `queued`; the ledger records the new acquisition; the work
 *   message is sent (if that send fails the job is queued and the sweeper re-drives it). A retry
 *   refused by the store gives the slot (and today's daily count) back.
 */
import type { Db } from "mongodb";
import type { AuditActor, AuditLog } from "../../shared/audit/audit-log.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import type { JobStore } from "../../shared/jobs/job-store.ts";
import type { OperatorNote, RetryFrom } from "../../shared/jobs/job-operations.ts";
import { sendWorkMessage } from "../../shared/messages/work-message.ts";
import { tenantsCollection } from "../../shared/fleet/tenants-collection.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { UsageLedger } from "../../shared/usage/ledger.ts";
import type { UsageStore } from "../../shared/usage/usage-store.ts";
import { parseQuota } from "../quota/schema.ts";

/** An operation refused: the job and the store's reason, in words for the operator. */
export class JobOperationRefusedError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "JobOperationRefusedError";
  }
}

export interface JobCommandDeps {
  readonly db: Db;
  readonly jobsOf: (tenant: TenantId) => JobStore;
  readonly usage: Pick<UsageStore, "tryAcquire" | "release">;
  readonly ledger: Pick<UsageLedger, "recordSettled" | "recordReacquired">;
  readonly sqs: Pick<SqsPort, "send">;
  readonly workQueueUrl: string;
  readonly now: () => number;
  /** Every cancel and retry is recorded here with its actor (shared/audit/audit-log.ts). */
  readonly audit: Pick<AuditLog, "append">;
}

/** The status a job left, as its last `type` history event recorded it (`from` / `previousStatus`). */
function previousStatus(job: JobDoc, type: string, field: string): unknown {
  const event = [...job.history].reverse().find((e) => e.type === type);
  const detail = event?.detail as Record<string, unknown> | undefined;
  return detail?.[field] ?? null;
}

/**
 * Cancels the job as `actor` (recorded in the audit trail; the job's history names `note.by`, or the
 * actor's subject when no `by` is given).
 */
export async function cancelJob(
  deps: JobCommandDeps,
  tenant: TenantId,
  jobId: string,
  actor: AuditActor,
  note: OperatorNote = {},
): Promise<JobDoc> {
  const r = await deps.jobsOf(tenant).cancel(jobId, deps.now(), withBy(note, actor));
  if (!r.ok) throw refused(tenant, jobId, r.reason, r.job);
  await deps.ledger.recordSettled(tenant, jobId);
  await deps.audit.append({
    tenantId: tenant,
    actor,
    action: "job.cancel",
    target: { jobId },
    before: { status: previousStatus(r.job, "cancelled", "from") },
    after: { status: r.job.status, ...(note.reason !== undefined ? { reason: note.reason } : {}) },
    at: new Date(deps.now()),
  });
  return r.job;
}

function withBy(note: OperatorNote, actor: AuditActor): OperatorNote {
  return note.by !== undefined ? note : { ...note, by: actor.subject };
}

export async function retryJob(
  deps: JobCommandDeps,
  tenant: TenantId,
  jobId: string,
  from: RetryFrom,
  actor: AuditActor,
  note: OperatorNote = {},
): Promise<JobDoc> {
  const store = deps.jobsOf(tenant);
  const before = await store.get(jobId);
  if (before === null) throw refused(tenant, jobId, "not_found", null);
  if (before.status !== "failed" && before.status !== "cancelled")
    throw refused(tenant, jobId, "not_retryable", before);
  const quota = await tenantQuota(deps.db, tenant);
  const acquired = await deps.usage.tryAcquire(tenant, quota.maxConcurrency, {
    ...(quota.dailyJobQuota !== undefined ? { dailyQuota: quota.dailyJobQuota } : {}),
  });
  if (!acquired.ok) {
    throw new JobOperationRefusedError(
      acquired.reason,
      acquired.reason === "cap"
        ? `tenant ${tenant} is at its concurrency cap (${acquired.running} of ${quota.maxConcurrency} running); retry when a job finishes`
        : `tenant ${tenant} has used its daily job quota (${acquired.releasedToday} of ${quota.dailyJobQuota}); retry tomorrow (UTC)`,
    );
  }
  const r = await store.retry(jobId, from, deps.now(), withBy(note, actor));
  if (!r.ok) {
    await deps.usage.release(tenant, { refundDaily: true });
    throw refused(tenant, jobId, r.reason, r.job);
  }
  await deps.ledger.recordReacquired(tenant, jobId);
  await deps.audit.append({
    tenantId: tenant,
    actor,
    action: "job.retry",
    target: { jobId },
    before: { status: previousStatus(r.job, "retried", "previousStatus") },
    after: { status: r.job.status, from, ...(note.reason !== undefined ? { reason: note.reason } : {}) },
    at: new Date(deps.now()),
  });
  try {
    await sendWorkMessage(deps.sqs, deps.workQueueUrl, { tenantId: tenant, jobId }, { trace: r.job.trace });
  } catch {
    // The job is queued and holds its slot: the sweeper re-sends its work message.
  }
  return r.job;
}

async function tenantQuota(db: Db, tenant: TenantId) {
  const doc = await tenantsCollection(db).findOne({ $or: [{ tenantId: tenant }, { _id: tenant }] });
  if (doc === null) throw new JobOperationRefusedError("no_tenant", `tenant ${tenant} has no quota document`);
  const q = parseQuota(doc);
  if (!q.ok)
    throw new JobOperationRefusedError("invalid_quota", `tenant ${tenant}'s quota document is invalid`);
  return q.quota;
}

function refused(
  tenant: TenantId,
  jobId: string,
  reason: string,
  job: JobDoc | null,
): JobOperationRefusedError {
  const what = `job ${jobId} of tenant ${tenant}`;
  switch (reason) {
    case "not_found":
      return new JobOperationRefusedError(reason, `${what} does not exist`);
    case "terminal":
      return new JobOperationRefusedError(
        reason,
        `${what} is already ${job?.status ?? "terminal"}; nothing to cancel`,
      );
    case "not_retryable":
      return new JobOperationRefusedError(
        reason,
        `${what} is ${job?.status ?? "?"}; only a failed or cancelled job can be retried`,
      );
    default:
      return new JobOperationRefusedError(reason, `${what} kept changing; try again`);
  }
}
