/**
 * The claim decision: whether a worker may take a job at `now`, and how. Pure; the CAS
 * store restates the decision in its write filter (`claimGuard`), so a claim whose condition changed
 * between the read and the write writes nothing.
 *
 * | job                                   | decision                          |
 * | ------------------------------------- | --------------------------------- |
 * | `queued`, no Wait or the Wait is due  | claim it (`fresh`)                |
 * | `queued`, resting on a future Wait    | refused: `not_due`                |
 * | `running`, lease expired or none      | claim it (`stolen`), whoever held it, this owner included |
 * | `running`, live lease (anyone's)      | refused: `leased`                 |
 * | `needs_review` or terminal            | refused: `not_claimable`          |
 *
 * A job that `maxAttempts` runs in a row left without any progress (`attemptsWithoutProgress`: each
 * died before its first write — a worker killed by the job, a lease lost, an error) is not run
 * again: the decision is `exhausted` and the store fails it with `Sluice.Poison` and the reason
 * instead of claiming it (issue 9 bug 5). The counter lives on the job document, so the limit holds
 * across redeliveries, sweeps and workers; a job that makes progress between crashes is not poison.
 *
 * A live lease is never re-entered, not even by its own owner: a second work message for a job the
 * owner is running (the sweeper's copy and a redelivered original landing on one worker) must not
 * start a second run of it beside the first. The worker keeps its own registry of the jobs it runs
 * (workers/jobs-in-progress.ts) and holds such a message until its run settles; an owner id reused
 * by a restarted process waits for its old lease to expire like anyone else.
 */
import type { Filter } from "mongodb";
import type { JobDoc } from "./job-doc.ts";

export type ClaimHow = "fresh" | "stolen";

export type ClaimDecision =
  | { claimable: true; how: ClaimHow }
  | { claimable: false; reason: "leased" | "not_due" | "not_claimable" }
  /** It could be claimed (`how`), but its last `maxAttempts` runs made no progress: fail it. */
  | { claimable: false; reason: "exhausted"; how: ClaimHow };

/** The error of a job failed because it cannot be run (crash loop, a message that always fails). */
export const POISON_ERROR = "Sluice.Poison";

/** Claims since the job's last durable progress (0 on documents from before the counter). */
export const attemptsWithoutProgress = (job: Pick<JobDoc, "attemptsWithoutProgress">): number =>
  job.attemptsWithoutProgress ?? 0;

/** The `cause` of a job failed as `exhausted`. */
export function exhaustedCause(
  job: Pick<JobDoc, "attemptsWithoutProgress" | "lease">,
  maxAttempts: number,
): string {
  const last = job.lease ? `; the last run's lease (${job.lease.owner}) expired without a write` : "";
  return `the job's last ${attemptsWithoutProgress(job)} runs each ended without progress (attempt limit ${maxAttempts}, SLUICE_JOB_MAX_ATTEMPTS): it crashes or loses its worker every time${last}`;
}

/**
 * Whether a worker may claim `job` at `now` (pure; the store restates it in its write filter). Who
 * asks makes no difference: a live lease is never re-entered (module doc).
 */
export function decideClaim(job: JobDoc, now: number, maxAttempts = Infinity): ClaimDecision {
  const d = decideAvailability(job, now);
  if (d.claimable && attemptsWithoutProgress(job) >= maxAttempts) {
    return { claimable: false, reason: "exhausted", how: d.how };
  }
  return d;
}

function decideAvailability(job: JobDoc, now: number): ClaimDecision {
  switch (job.status) {
    case "queued":
      return job.wakeAt !== null && job.wakeAt > now
        ? { claimable: false, reason: "not_due" }
        : { claimable: true, how: "fresh" };
    case "running":
      return job.lease === null || job.lease.expiresAt <= now
        ? { claimable: true, how: "stolen" }
        : { claimable: false, reason: "leased" };
    default:
      return { claimable: false, reason: "not_claimable" };
  }
}

/** The write filter restating a claim decision of kind `how` at `now`. */
export function claimGuard(how: ClaimHow, now: number): Filter<JobDoc> {
  switch (how) {
    case "fresh":
      return { status: "queued", $or: [{ wakeAt: null }, { wakeAt: { $lte: now } }] };
    case "stolen":
      return { status: "running", $or: [{ lease: null }, { "lease.expiresAt": { $lte: now } }] };
  }
}
