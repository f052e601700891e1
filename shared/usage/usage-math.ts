/**
 * The pure parts of running-count accounting (see usage.ts): what "in flight" means for the cap, the
 * UTC day and acquisition-window keys, and the reconcile decision.
 */
import type { Filter } from "mongodb";
import type { JobDoc } from "../jobs/job-doc.ts";

/**
 * What counts against a tenant's `maxConcurrency` ("in flight"): every job released and not yet
 * terminal (ADR 0007), i.e. `queued` (released and not yet claimed, put back by the sweeper, or resting
 * on a Wait until `wakeAt`), `running` (whatever its lease state) and `needs_review`. A released job
 * holds its slot until it is `complete`, `failed` or `cancelled`, so a job woken from a Wait or resumed
 * after a review needs no new slot and the cap bounds everything in flight. Whoever makes a job
 * terminal gives the slot back (`UsageLedger.recordSettled`, through the worker's settle hook).
 */
export function inFlightFilter(): Filter<JobDoc> {
  // A job the API created before its release holds no slot yet (ADR 0019).
  return { status: { $in: [...IN_FLIGHT_STATUSES] }, awaitingRelease: { $ne: true } };
}

export const IN_FLIGHT_STATUSES = ["queued", "running", "needs_review"] as const;

/**
 * In-flight jobs that hold a slot but no worker: resting on a Wait until a future `wakeAt`, or parked
 * in `needs_review`. Their tenant's cap counts them; the fleet's free worker slots do not.
 */
export function parkedFilter(now: number): Filter<JobDoc> {
  return { $or: [{ status: "needs_review" }, { status: "queued", wakeAt: { $gt: now } }] };
}

/**
 * Jobs that became terminal within the last `settleMs`: their slot's give-back may still be on its
 * way (the terminal write comes first, the counter decrement after), so reconcile allows for them.
 */
export function recentlyFinishedFilter(now: number, settleMs: number): Filter<JobDoc> {
  return { updatedAt: { $gt: now - settleMs }, status: { $in: ["complete", "failed", "cancelled"] } };
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
  /** Upper bound on counter changes still on their way: recent acquisitions + recently finished jobs. */
  readonly pending: number;
}

export type ReconcileDecision =
  | { readonly kind: "in-sync" }
  | { readonly kind: "set"; readonly to: number; readonly why: "leaked" | "undercounted" };

/**
 * The true counter value is `inFlight + p` for some `0 ≤ p ≤ pending` (acquisitions whose job is not
 * created yet, and give-backs not yet applied for jobs that already finished). Any value in
 * `[inFlight, inFlight + pending]` is left alone. Above it, slots leaked (a scheduler died after
 * acquiring, a worker after finishing a job): lower to the top of the band, never below the truth.
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
