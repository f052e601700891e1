/**
 * The writes of a job's run (the runner's checkpointer, workers/runner/checkpointer.ts), as named
 * operations of the job store (job-store.ts is the facade): checkpoint, rest on a Wait, release,
 * park for review, finish. Each is one compare-and-set fenced by the run itself — the version its
 * last write (or its claim) produced and its lease owner, restated in the filter (`running` under
 * `owner`'s lease) — and carries what the run made durable: the execution state (inline or by
 * reference), the references to results stored since its last write, and, on its first write, the
 * reset of the attempts without progress.
 *
 * Unlike the read-decide-write operations these never go round the retry loop (cas-retry.ts): a
 * lost write means another writer (a cancel, a sweeper, a stealer) owns the job now, and the run
 * stops without writing (ADR 0010); deciding again on a fresh read could only say "stop".
 */
import type { HistoryEvent, JobPatch, Payload, Review } from "./job-doc.ts";
import type { CasResult, JobCas } from "./job-cas.ts";
import { releaseLease } from "./job-leases.ts";

/** What a run's write carries besides its status change. */
export type RunFields = Pick<
  JobPatch,
  "execution" | "executionRef" | "resultRefs" | "attemptsWithoutProgress" | "trace"
>;

/** Who writes for the run, from which version: the lease owner and the version of its last write. */
export interface RunFence {
  readonly owner: string;
  readonly version: number;
  /**
   * The states the run entered and left since its last write (`state_entered` / `state_exited`
   * history events), appended to the job's history with the write: the job's own timeline.
   */
  readonly trail?: readonly HistoryEvent[];
}

const trail = (fence: RunFence): readonly HistoryEvent[] => fence.trail ?? [];

/** How a run ends: complete with its output, or failed with an error name and cause. */
export type RunEnd =
  { status: "complete"; output: Payload } | { status: "failed"; error: string; cause: string };

const held = (fence: RunFence) => ({ status: "running" as const, "lease.owner": fence.owner });

/** The run's progress, the job still `running` under its lease. */
export function checkpoint(
  cas: JobCas,
  jobId: string,
  fence: RunFence,
  fields: RunFields,
  now: number,
): Promise<CasResult> {
  return cas.write(jobId, fence.version, fields, now, held(fence), trail(fence));
}

/** Rests the job on a Wait: running → queued until `wakeAt`, the lease given back. */
export function rest(
  cas: JobCas,
  jobId: string,
  fence: RunFence,
  fields: RunFields,
  wakeAt: number,
  now: number,
): Promise<CasResult> {
  return releaseLease(
    cas,
    jobId,
    fence.owner,
    fence.version,
    now,
    { ...fields, wakeAt },
    withTrail(fence, now),
  );
}

/** Gives the job back with the progress made (shutdown, or an error with `fields` empty): running → queued. */
export function release(
  cas: JobCas,
  jobId: string,
  fence: RunFence,
  fields: RunFields,
  now: number,
): Promise<CasResult> {
  return releaseLease(cas, jobId, fence.owner, fence.version, now, fields, withTrail(fence, now));
}

/** Parks the job for a human decision: running → needs_review with `review`, recorded in history. */
export function park(
  cas: JobCas,
  jobId: string,
  fence: RunFence,
  fields: RunFields,
  review: Review,
  now: number,
): Promise<CasResult> {
  return cas.write(jobId, fence.version, { ...fields, status: "needs_review", review }, now, held(fence), [
    ...trail(fence),
    { at: now, type: "review_requested", state: review.stateName },
  ]);
}

/** The end of the run: complete or failed (the lease dropped, `finishedAt` stamped). */
export function finish(
  cas: JobCas,
  jobId: string,
  fence: RunFence,
  fields: RunFields,
  end: RunEnd,
  now: number,
): Promise<CasResult> {
  return cas.write(jobId, fence.version, { ...fields, ...end }, now, held(fence), trail(fence));
}

/** A lease release's history: the run's trail, then `lease_released` as releaseLease records it. */
function withTrail(fence: RunFence, now: number): { history?: readonly HistoryEvent[] } {
  const t = trail(fence);
  return t.length === 0
    ? {}
    : { history: [...t, { at: now, type: "lease_released", detail: { owner: fence.owner } }] };
}
