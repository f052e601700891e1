/**
 * Operators' job operations, decided purely (the style of decide-claim.ts): cancel and retry. The
 * store (job-store.ts) reads the job, asks the decision, and restates it in the write filter
 * (`operationGuard`), so an operation decided on a document that changed before the write writes
 * nothing and is decided again on what is there now.
 *
 * | operation | job status                          | decision                                         |
 * | --------- | ----------------------------------- | ------------------------------------------------ |
 * | cancel    | queued (incl. resting on a Wait)    | → cancelled (`wakeAt` cleared: never woken)      |
 * | cancel    | running                             | → cancelled; the worker's next CAS loses, it stops without writing |
 * | cancel    | needs_review                        | → cancelled (`review` cleared: no decision applies) |
 * | cancel    | complete, failed, cancelled         | refused `terminal`                                |
 * | retry     | failed, cancelled                   | → queued, a new attempt `from` checkpoint or start |
 * | retry     | anything else                       | refused `not_retryable`                           |
 * | poison    | terminal, or running under another worker's live lease | skipped (nothing written) |
 * | poison    | anything else                       | → failed `Sluice.Poison` (a work message that kept failing) |
 *
 * Retry from `checkpoint` keeps the execution state last written (`execution`/`executionRef`), so the
 * run resumes where the job stopped; from `start` clears it, so the workflow starts over on its input.
 * A job that failed inside its own workflow (a Fail state, an uncaught error) has that failure as its
 * last checkpoint: retrying it from the checkpoint ends the same way; retry it from the start.
 */
import type { Filter } from "mongodb";
import type { HistoryEvent, JobDoc, JobPatch, JobStatus } from "./job-doc.ts";
import { isTerminal } from "./transitions.ts";

export type RetryFrom = "checkpoint" | "start";
export const RETRY_FROM: readonly RetryFrom[] = ["checkpoint", "start"];

/** Who asked, and why (both optional; recorded in the job's history). */
export interface OperatorNote {
  readonly by?: string;
  readonly reason?: string;
}

export type OperationDecision =
  | { readonly ok: true; readonly patch: JobPatch; readonly from: JobStatus; readonly event: HistoryEvent }
  | {
      readonly ok: false;
      readonly reason: "terminal" | "not_retryable" | "skip";
      readonly status: JobStatus;
    };

const note = (n: OperatorNote) => ({
  ...(n.by !== undefined ? { by: n.by } : {}),
  ...(n.reason !== undefined ? { reason: n.reason.slice(0, 2000) } : {}),
});

export function decideCancel(
  job: Pick<JobDoc, "status">,
  now: number,
  n: OperatorNote = {},
): OperationDecision {
  if (isTerminal(job.status)) return { ok: false, reason: "terminal", status: job.status };
  const patch: JobPatch = {
    status: "cancelled",
    lease: null,
    wakeAt: null,
    review: null,
    finishedAt: now,
    cause: n.reason !== undefined ? `cancelled: ${n.reason.slice(0, 2000)}` : "cancelled by an operator",
  };
  return {
    ok: true,
    patch,
    from: job.status,
    event: { at: now, type: "cancelled", detail: { from: job.status, ...note(n) } },
  };
}

export const RETRYABLE_STATUSES: readonly JobStatus[] = ["failed", "cancelled"];

export function decideRetry(
  job: Pick<JobDoc, "status" | "execution" | "executionRef" | "awaitingRelease">,
  from: RetryFrom,
  now: number,
  n: OperatorNote = {},
): OperationDecision {
  if (!RETRYABLE_STATUSES.includes(job.status))
    return { ok: false, reason: "not_retryable", status: job.status };
  const hadCheckpoint = job.execution !== null || (job.executionRef ?? null) !== null;
  const patch: JobPatch = {
    status: "queued",
    lease: null,
    wakeAt: null,
    review: null,
    output: null,
    error: null,
    cause: null,
    finishedAt: null,
    attemptsWithoutProgress: 0,
    // A job cancelled before its release is sent to the work queue by the retry: it is released now.
    ...(job.awaitingRelease === true ? { awaitingRelease: false } : {}),
    ...(from === "start" ? { execution: null, executionRef: null } : {}),
  };
  return {
    ok: true,
    patch,
    from: job.status,
    event: {
      at: now,
      type: "retried",
      detail: { from, previousStatus: job.status, hadCheckpoint, ...note(n) },
    },
  };
}

/**
 * A work message's last allowed receive failed (workers/worker.ts): the job it names is failed with
 * `Sluice.Poison`, unless it is terminal or another worker holds a live lease on it (that run goes on).
 */
export function decidePoisonMessage(
  job: Pick<JobDoc, "status" | "lease">,
  owner: string,
  now: number,
  detail: { readonly messageId: string; readonly reason: string; readonly error: string },
): OperationDecision {
  if (isTerminal(job.status)) return { ok: false, reason: "skip", status: job.status };
  const held = job.status === "running" && job.lease !== null && job.lease.expiresAt > now;
  if (held && job.lease?.owner !== owner) return { ok: false, reason: "skip", status: job.status };
  return {
    ok: true,
    patch: { status: "failed", error: detail.error, cause: detail.reason.slice(0, 32_000) },
    from: job.status,
    event: {
      at: now,
      type: "poison",
      detail: { messageId: detail.messageId, reason: detail.reason.slice(0, 2000) },
    },
  };
}

/** The write filter that restates a decision: the job is still in the status it was decided on. */
export const operationGuard = (decided: OperationDecision & { ok: true }): Filter<JobDoc> => ({
  status: decided.from,
});
