/**
 * `POST /v1/jobs/{id}/cancel | retry | review`: the operators' own operations (scheduler/jobs/
 * job-commands.ts for cancel and retry, workers/review.ts for review decisions), called for the
 * token's tenant with the token's subject as the actor; their refusals mapped to HTTP. Another
 * tenant's job is not found by those operations (their stores are the caller tenant's), and the
 * refusal is the same `job_not_found` as for an id nobody has. The operations append the audit
 * entries themselves, with the actor `{kind: "token", subject}`.
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
import type { AuditActor } from "../../shared/audit/audit-log.ts";
import type { JobsApiDeps, JobsPrincipal } from "./jobs-deps.ts";
import { ApiError } from "../errors.ts";
import { jobNotFound } from "./jobs-error.ts";
import { loadJob } from "./job-view.ts";

export interface JobActionDeps {
  /** The operators' cancel and retry; each records its actor in the audit trail. */
  readonly commands: JobCommandDeps;
  /** Review decisions; each records its actor in the audit trail. */
  readonly reviews: Pick<Reviews, "approve" | "reject">;
}

export type ReviewDecision =
  | { readonly decision: "approve"; readonly output: unknown }
  | { readonly decision: "reject"; readonly error: string; readonly cause: string };

/** The audit trail's actor of an API call: the token's subject (contract 3 of issues 12-14). */
const actorOf = (p: JobsPrincipal): AuditActor => ({ kind: "token", subject: p.subject });

export async function cancel(
  deps: JobsApiDeps,
  actions: JobActionDeps,
  principal: JobsPrincipal,
  jobId: string,
  reason?: string,
): Promise<JobDoc> {
  const before = await loadJob(deps, principal, jobId);
  return cancelJob(actions.commands, principal.tenantId, before._id, actorOf(principal), {
    ...(reason !== undefined ? { reason } : {}),
  }).catch((err: unknown) => refused(err, jobId));
}

export async function retry(
  deps: JobsApiDeps,
  actions: JobActionDeps,
  principal: JobsPrincipal,
  jobId: string,
  from: RetryFrom,
): Promise<JobDoc> {
  const before = await loadJob(deps, principal, jobId);
  return retryJob(actions.commands, principal.tenantId, before._id, from, actorOf(principal)).catch(
    (err: unknown) => refused(err, jobId),
  );
}

export async function review(
  deps: JobsApiDeps,
  actions: JobActionDeps,
  principal: JobsPrincipal,
  jobId: string,
  decision: ReviewDecision,
): Promise<JobDoc> {
  const before = await loadJob(deps, principal, jobId);
  const opts = { actor: actorOf(principal) };
  try {
    if (decision.decision === "approve")
      await actions.reviews.approve(principal.tenantId, before._id, decision.output, opts);
    else await actions.reviews.reject(principal.tenantId, before._id, decision.error, decision.cause, opts);
  } catch (err) {
    refused(err, jobId);
  }
  return loadJob(deps, principal, jobId);
}

/** The operations' refusals as API errors (anything else propagates as an internal error). */
function refused(err: unknown, jobId: string): never {
  if (err instanceof JobOperationRefusedError) {
    switch (err.reason) {
      case "not_found":
        throw jobNotFound(jobId);
      case "terminal":
      case "not_retryable":
        throw new ApiError(409, "invalid_state", err.message, { jobId });
      case "cap":
      case "daily":
        throw new ApiError(429, "tenant_at_capacity", err.message, { jobId });
      case "contended":
        throw new ApiError(409, "contended", err.message, { jobId });
      default:
        throw new ApiError(409, "invalid_state", err.message, { jobId, reason: err.reason });
    }
  }
  if (err instanceof ReviewRefusedError) {
    if (err.code === "not_found") throw jobNotFound(jobId);
    if (err.code === "contended") throw new ApiError(409, "contended", err.message, { jobId });
    throw new ApiError(409, "invalid_state", err.message, { jobId, reason: err.code });
  }
  throw err;
}
