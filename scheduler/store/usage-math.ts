/**
 * The pure parts of running-count accounting (see usage.ts): what "running" means for the cap, the
 * UTC day and acquisition-window keys, and the reconcile decision.
 */
import type { Filter } from "mongodb";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";

/**
 * What counts against a tenant's `maxConcurrency` ("in flight"): every job released and not yet at a
 * resting point, i.e.
 * - `running` (claimed by a worker, whatever its lease state: an expired lease is re-run by the sweeper), or
 * - `queued` with no pending wake-up (`wakeAt` null or due): released to the work queue and not yet
 *   claimed, or put back by the sweeper.
 * Not counted: `queued` resting on a Wait state until a future `wakeAt`, `needs_review`, and the
 * terminal statuses. Whoever moves a job into one of those calls `UsageStore.release` afterwards.
 */
export function inFlightFilter(now: number): Filter<JobDoc> {
  return {
    $or: [{ status: "running" }, { status: "queued", $or: [{ wakeAt: null }, { wakeAt: { $lte: now } }] }],
  };
}

/**
 * Jobs that reached a resting point within the last `settleMs`: their `release` may still be on its
 * way (the job write comes first, the counter decrement after), so reconcile allows for them.
 */
export function recentlyRestedFilter(now: number, settleMs: number): Filter<JobDoc> {
  return {
    updatedAt: { $gt: now - settleMs },
    $or: [
      { status: { $in: ["needs_review", "complete", "failed", "cancelled"] } },
      { status: "queued", wakeAt: { $gt: now } },
    ],
  };
}

/** `YYYY-MM-DD` of `now` in UTC: the key of the daily job counter. */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** Index of the acquisition window containing `now` (windows are `settleMs` long). */
export function acquireWindow(now: number, settleMs: number): number {
  return Math.floor(now / settleMs);
}

/**
 * Acquisitions that may not have created their job yet: those in the current and previous window
 * (together at least `settleMs` back).
 */
export function recentAcquires(
  acq: Readonly<Record<string, number>> | undefined,
  now: number,
  settleMs: number,
): number {
  const w = acquireWindow(now, settleMs);
  return Math.max(0, acq?.[String(w)] ?? 0) + Math.max(0, acq?.[String(w - 1)] ?? 0);
}

/** Keys of `daily` and `acq` old enough to drop. */
export function expiredKeys(
  doc: { daily?: Readonly<Record<string, number>>; acq?: Readonly<Record<string, number>> },
  now: number,
  settleMs: number,
  keepDays: number,
): string[] {
  const oldestDay = utcDay(now - keepDays * 86_400_000);
  const w = acquireWindow(now, settleMs);
  const days = Object.keys(doc.daily ?? {})
    .filter((d) => d < oldestDay)
    .map((d) => `daily.${d}`);
  const windows = Object.keys(doc.acq ?? {})
    .filter((k) => Number(k) < w - 1)
    .map((k) => `acq.${k}`);
  return [...days, ...windows];
}

export interface ReconcileInput {
  /** The counter as read. */
  readonly running: number;
  /** Jobs in flight now (`inFlightFilter`). */
  readonly inFlight: number;
  /** Upper bound on counter changes still on their way: recent acquisitions + recently rested jobs. */
  readonly pending: number;
}

export type ReconcileDecision =
  | { readonly kind: "in-sync" }
  | { readonly kind: "set"; readonly to: number; readonly why: "leaked" | "undercounted" };

/**
 * The true counter value is `inFlight + p` for some `0 ≤ p ≤ pending` (acquisitions whose job is not
 * created yet, and releases not yet applied for jobs that already rested). Any value in
 * `[inFlight, inFlight + pending]` is left alone. Above it, slots leaked (a scheduler died after
 * acquiring, a worker after resting a job): lower to the top of the band, never below the truth.
 * Below `inFlight`, jobs run uncounted: raise to the top of the band, which is safe for the cap and
 * settles as the pending releases arrive.
 */
export function reconcileDecision(input: ReconcileInput): ReconcileDecision {
  const low = Math.max(0, input.inFlight);
  const high = low + Math.max(0, input.pending);
  if (input.running > high) return { kind: "set", to: high, why: "leaked" };
  if (input.running < low) return { kind: "set", to: high, why: "undercounted" };
  return { kind: "in-sync" };
}
