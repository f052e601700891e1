/**
 * Operations of the job store (job-store.ts is the facade) that act on a job from outside its run:
 * an operator's cancel and retry, a poisoned work message's failure (decided purely in
 * job-operations.ts and restated in the write filter by `operationGuard`, inside the one retry loop)
 * and a review decision (decided by workers/review.ts; the filter restates that the job still waits
 * for review).
 */
import type { HistoryEvent, JobDoc, JobPatch } from "./job-doc.ts";
import { applied, type CasResult, type JobCas } from "./job-cas.ts";
import { casRetry, type CasRound } from "./cas-retry.ts";
import { operationGuard, type OperationDecision } from "./job-operations.ts";

/** What an operator's operation (cancel, retry) did: `job` as written, or why nothing was. */
export type OperationResult =
  | { ok: true; job: JobDoc }
  | { ok: false; reason: "not_found" | "contended"; job: JobDoc | null }
  /** `skip`: a poisoned message's job is terminal or run by another worker; nothing written. */
  | { ok: false; reason: "terminal" | "not_retryable" | "skip"; job: JobDoc };

/** Reads the job, asks `decide`, writes the decision with a filter that restates it; a lost write re-decides. */
export async function operate(
  cas: JobCas,
  jobId: string,
  now: number,
  decide: (job: JobDoc) => OperationDecision,
): Promise<OperationResult> {
  let job: JobDoc | null = null;
  const done = await casRetry<OperationResult>(async (): Promise<CasRound<OperationResult>> => {
    job = await cas.get(jobId);
    if (job === null) return { done: { ok: false, reason: "not_found", job } };
    const d = decide(job);
    if (!d.ok) return { done: { ok: false, reason: d.reason, job } };
    // The guard restates the status decided on (it replaces the table's predecessor filter: a retry
    // leaves a terminal status, which only this operator operation may do).
    const r = await cas.write(jobId, job.version, d.patch, now, operationGuard(d), [d.event]);
    if (!r.ok) return "lost";
    return { done: { ok: true, job: applied(job, d.patch, now, r.version, [d.event]) } };
  });
  return done ?? { ok: false, reason: "contended", job };
}

/** See `JobStore.decideReview`. */
export function decideReview(
  cas: JobCas,
  jobId: string,
  expectedVersion: number,
  fields: Pick<JobPatch, "execution" | "executionRef" | "resultRefs">,
  now: number,
  event: HistoryEvent,
): Promise<CasResult> {
  return cas.write(
    jobId,
    expectedVersion,
    { ...fields, status: "queued", review: null, wakeAt: null },
    now,
    { status: "needs_review" },
    [event],
  );
}
