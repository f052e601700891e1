/**
 * The job status transition table. Every status change the CAS store writes is checked against it;
 * anything not listed is refused with `IllegalTransitionError`.
 *
 * | from           | to             | when                                                              |
 * | -------------- | -------------- | ----------------------------------------------------------------- |
 * | `queued`       | `running`      | a worker claims the job (lease set)                               |
 * | `queued`       | `queued`       | re-drive: the sweeper wakes a due Wait or re-sends a lost message  |
 * | `queued`       | `failed`       | poison message / rejected body: failed without running again      |
 * | `queued`       | `cancelled`    | cancel before it runs                                             |
 * | `running`      | `running`      | checkpoint after a transition; steal of an expired lease          |
 * | `running`      | `queued`       | lease released (shutdown), lease expired (sweeper), Wait stored   |
 * | `running`      | `needs_review` | a review task / `.waitForTaskToken` state is reached              |
 * | `running`      | `complete`     | the workflow succeeded                                            |
 * | `running`      | `failed`       | the workflow failed (Fail state, uncaught error, poison)           |
 * | `running`      | `cancelled`    | cancel while running (the worker's next CAS loses and stops)      |
 * | `needs_review` | `running`      | a worker holding a lease applies the decision                     |
 * | `needs_review` | `queued`       | a decision is recorded and the job re-enqueued for any worker     |
 * | `needs_review` | `failed`       | rejected with no Catch path, or the review timed out              |
 * | `needs_review` | `cancelled`    | cancel while waiting                                              |
 *
 * Terminal statuses (`complete`, `failed`, `cancelled`) have no way out, not even to themselves: a
 * duplicate "complete" is a no-op decided by the caller, never a write. `needs_review` cannot go
 * straight to `complete`: the engine, run by a worker, decides what a decision leads to.
 */
import { JOB_STATUSES } from "./job-doc.ts";
import type { JobStatus } from "./job-doc.ts";

export const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  queued: ["running", "queued", "failed", "cancelled"],
  running: ["running", "queued", "needs_review", "complete", "failed", "cancelled"],
  needs_review: ["running", "queued", "failed", "cancelled"],
  complete: [],
  failed: [],
  cancelled: [],
};

export const TERMINAL_STATUSES: readonly JobStatus[] = ["complete", "failed", "cancelled"];

export const isTerminal = (status: JobStatus): boolean => TERMINAL_STATUSES.includes(status);

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` may be reached (used as a write filter by the CAS store). */
export function predecessorsOf(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => canTransition(from, to));
}

/** A status change the table does not allow. Never retryable: the caller must re-decide. */
export class IllegalTransitionError extends Error {
  readonly code = "illegal_transition" as const;
  readonly retryable = false as const;
  constructor(
    readonly from: JobStatus,
    readonly to: JobStatus,
    readonly jobId?: string,
  ) {
    super(`illegal job status transition ${from} → ${to}${jobId ? ` (job ${jobId})` : ""}`);
    this.name = "IllegalTransitionError";
  }
}

export function assertTransition(from: JobStatus, to: JobStatus, jobId?: string): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to, jobId);
}
