/**
 * `POST /v1/jobs/{id}/cancel | retry | review`: the operators' own operations (scheduler/jobs/
 * job-commands.ts for cancel and retry, workers/review.ts for review decisions), called for the
 * token's tenant with the token's subject as the actor; their refusals mapped to HTTP. Another
 * tenant's job is not found by those operations (their stores are the caller tenant's), and the
 * refusal is the same `job_not_found` as for an id nobody has.
 */
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import {
  cancelJob,
  JobOperationRefusedError,
  retryJob,
  type JobCommandDeps,
} from "../../scheduler/jobs/job-commands.ts";
import { ReviewRefusedError, type Reviews } from "../../workers/review.ts";
import type { RetryFrom } from "../../shared/jobs/job-operations.ts";
import type { JobsApiDeps, JobsPrincipal } from "./jobs-deps.ts";
import { JobsApiError, jobNotFound } from "./jobs-error.ts";
import { loadJob } from "./job-view.ts";

/** Who acted, as the audit trail records it (contract 3 of issues 12-14). */
export interface Actor {
  readonly kind: "token";
  readonly subject: string;
}

export interface JobActionDeps {
  readonly commands: JobCommandDeps;
  readonly reviews: Pick<Reviews, "approve" | "reject">;
  /**
   * The audit hook (shared/audit/audit-log.ts, when it is on main): every state change the API makes
   * is appended with the token's subject as the actor. Absent: nothing is recorded beyond the job's
   * own history (which names the subject).
   */
  readonly audit?: (entry: ApiAuditEntry) => Promise<void>;
}

export interface ApiAuditEntry {
  readonly tenantId: string;
  readonly actor: Actor;
  readonly action: "job.cancel" | "job.retry" | "review.approve" | "review.reject";
  readonly target: { readonly jobId: string };
  readonly before?: unknown;
  readonly after?: unknown;
  readonly at: Date;
}

export type ReviewDecision =
  | { readonly decision: "approve"; readonly output: unknown }
  | { readonly decision: "reject"; readonly error: string; readonly cause: string };

const actorOf = (p: JobsPrincipal): Actor => ({ kind: "token", subject: p.subject });

export async function cancel(
  deps: JobsApiDeps,
  actions: JobActionDeps,
  principal: JobsPrincipal,
  jobId: string,
  reason?: string,
): Promise<JobDoc> {
  const before = await loadJob(deps, principal, jobId);
  const job = await cancelJob(actions.commands, principal.tenantId, before._id, {
    by: `token:${principal.subject}`,
    ...(reason !== undefined ? { reason } : {}),
  }).catch((err: unknown) => refused(err, jobId));
  await audit(deps, actions, principal, "job.cancel", job._id, before.status, job.status);
  return job;
}

export async function retry(
  deps: JobsApiDeps,
  actions: JobActionDeps,
  principal: JobsPrincipal,
  jobId: string,
  from: RetryFrom,
): Promise<JobDoc> {
  const before = await loadJob(deps, principal, jobId);
  const job = await retryJob(actions.commands, principal.tenantId, before._id, from, {
    by: `token:${principal.subject}`,
  }).catch((err: unknown) => refused(err, jobId));
  await audit(deps, actions, principal, "job.retry", job._id, before.status, job.status);
  return job;
}

export async function review(
  deps: JobsApiDeps,
  actions: JobActionDeps,
  principal: JobsPrincipal,
  jobId: string,
  decision: ReviewDecision,
): Promise<JobDoc> {
  const before = await loadJob(deps, principal, jobId);
  const opts = { reviewer: `token:${principal.subject}` };
  try {
    if (decision.decision === "approve")
      await actions.reviews.approve(principal.tenantId, before._id, decision.output, opts);
    else await actions.reviews.reject(principal.tenantId, before._id, decision.error, decision.cause, opts);
  } catch (err) {
    refused(err, jobId);
  }
  const after = await loadJob(deps, principal, jobId);
  const action = decision.decision === "approve" ? "review.approve" : "review.reject";
  await audit(deps, actions, principal, action, after._id, before.status, {
    status: after.status,
    decision: decision.decision,
  });
  return after;
}

async function audit(
  deps: JobsApiDeps,
  actions: JobActionDeps,
  principal: JobsPrincipal,
  action: ApiAuditEntry["action"],
  jobId: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  if (actions.audit === undefined) return;
  await actions.audit({
    tenantId: principal.tenantId,
    actor: actorOf(principal),
    action,
    target: { jobId },
    before,
    after,
    at: new Date(deps.now()),
  });
}

/** The operations' refusals as API errors (anything else propagates as an internal error). */
function refused(err: unknown, jobId: string): never {
  if (err instanceof JobOperationRefusedError) {
    switch (err.reason) {
      case "not_found":
        throw jobNotFound(jobId);
      case "terminal":
      case "not_retryable":
        throw new JobsApiError(409, "invalid_state", err.message, { jobId });
      case "cap":
      case "daily":
        throw new JobsApiError(429, "tenant_at_capacity", err.message, { jobId });
      case "contended":
        throw new JobsApiError(409, "contended", err.message, { jobId });
      default:
        throw new JobsApiError(409, "operation_refused", err.message, { jobId, reason: err.reason });
    }
  }
  if (err instanceof ReviewRefusedError) {
    if (err.code === "not_found") throw jobNotFound(jobId);
    if (err.code === "contended") throw new JobsApiError(409, "contended", err.message, { jobId });
    throw new JobsApiError(409, "invalid_state", err.message, { jobId, reason: err.code });
  }
  throw err;
}
