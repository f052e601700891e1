/**
 * Lease operations of the job store (job-store.ts is the facade): a worker claims a job and holds it
 * by its lease; the sweeper takes back what a dead worker held.
 *
 * Claims read the job, decide (`decideClaim` in decide-claim.ts, pure) and CAS with a filter that
 * restates the decision (`claimGuard`), inside the one retry loop (cas-retry.ts), so a claim that
 * lost a race (or whose lease condition changed in between) writes nothing and is decided again.
 *
 * The one write that does not bump `version` is `extendLease`: a heartbeat only moves the lease
 * expiry, fenced by the lease owner, so a worker's heartbeat never makes its own checkpoint lose.
 * Claims restate their lease condition in the write filter, so a heartbeat that lands between a
 * stealer's read and its write makes the steal lose.
 */
import type { HistoryEvent, JobDoc, JobPatch } from "./job-doc.ts";
import { applied, type CasOptions, type CasResult, type JobCas } from "./job-cas.ts";
import { casRetry, type CasRound } from "./cas-retry.ts";
import {
  attemptsWithoutProgress,
  claimGuard,
  decideClaim,
  exhaustedCause,
  POISON_ERROR,
  type ClaimHow,
} from "./decide-claim.ts";

export type ClaimResult =
  | { ok: true; job: JobDoc; how: ClaimHow; previousOwner: string | null }
  | {
      ok: false;
      /** `leased`: a live lease is held (by anyone, this owner included). `not_due`: a Wait rests until `wakeAt`.
       *  `not_claimable`: needs_review or terminal. `contended`: lost the race too many times.
       *  `poisoned`: out of attempts (decide-claim.ts); the claim failed it (`job` as written). */
      reason: "not_found" | "leased" | "not_due" | "not_claimable" | "contended" | "poisoned";
      job: JobDoc | null;
    };

export type LeaseResult = { ok: true; expiresAt: number } | { ok: false; current: JobDoc | null };

/** See `JobStore.claim`. */
export async function claim(
  cas: JobCas,
  jobId: string,
  owner: string,
  leaseMs: number,
  now: number,
  maxAttempts: number,
): Promise<ClaimResult> {
  let job: JobDoc | null = null;
  const claimed = await casRetry<ClaimResult>(async (): Promise<CasRound<ClaimResult>> => {
    job = await cas.get(jobId);
    if (job === null) return { done: { ok: false, reason: "not_found", job } };
    const decision = decideClaim(job, now, maxAttempts);
    if (!decision.claimable && decision.reason === "exhausted") {
      const r = await failExhausted(cas, job, decision.how, now, maxAttempts);
      return r.ok ? { done: { ok: false, reason: "poisoned", job: r.job } } : "lost";
    }
    if (!decision.claimable) return { done: { ok: false, reason: decision.reason, job } };
    const previousOwner = job.lease?.owner ?? null;
    const patch: JobPatch = {
      status: "running",
      lease: { owner, expiresAt: now + leaseMs },
      wakeAt: null,
      startedAt: job.startedAt ?? now,
      attempts: job.attempts + 1,
      attemptsWithoutProgress: attemptsWithoutProgress(job) + 1,
    };
    const events: HistoryEvent[] = [
      { at: now, type: "claimed", detail: { owner, how: decision.how, previousOwner } },
    ];
    const result = await cas.write(jobId, job.version, patch, now, claimGuard(decision.how, now), events);
    if (!result.ok) return "lost";
    return {
      done: {
        ok: true,
        how: decision.how,
        previousOwner,
        job: applied(job, patch, now, result.version, events),
      },
    };
  });
  return claimed ?? { ok: false, reason: "contended", job };
}

/** See `JobStore.failExhausted`. */
export async function failExhausted(
  cas: JobCas,
  job: JobDoc,
  how: ClaimHow,
  now: number,
  maxAttempts: number,
): Promise<{ ok: true; job: JobDoc } | { ok: false; current: JobDoc | null }> {
  const cause = exhaustedCause(job, maxAttempts);
  const patch: JobPatch = { status: "failed", error: POISON_ERROR, cause, lease: null, finishedAt: now };
  const events: HistoryEvent[] = [
    {
      at: now,
      type: "poison",
      detail: { attemptsWithoutProgress: attemptsWithoutProgress(job), limit: maxAttempts },
    },
  ];
  const r = await cas.write(job._id, job.version, patch, now, claimGuard(how, now), events);
  return r.ok ? { ok: true, job: applied(job, patch, now, r.version, events) } : r;
}

/** Moves `owner`'s lease expiry to `now + leaseMs` without bumping `version` (see module doc). */
export async function extendLease(
  cas: JobCas,
  jobId: string,
  owner: string,
  leaseMs: number,
  now: number,
): Promise<LeaseResult> {
  const expiresAt = now + leaseMs;
  const res = await cas.jobs.updateOne(
    { _id: jobId, status: "running", "lease.owner": owner },
    { $set: { "lease.expiresAt": expiresAt } },
  );
  return res.matchedCount === 1 ? { ok: true, expiresAt } : { ok: false, current: await cas.get(jobId) };
}

/** See `JobStore.releaseLease`. */
export function releaseLease(
  cas: JobCas,
  jobId: string,
  owner: string,
  expectedVersion: number,
  now: number,
  patch: Omit<JobPatch, "status" | "lease">,
  options: CasOptions,
): Promise<CasResult> {
  const events = options.history ?? [{ at: now, type: "lease_released", detail: { owner } }];
  return cas.write(
    jobId,
    expectedVersion,
    { ...patch, status: "queued", lease: null },
    now,
    { status: "running", "lease.owner": owner },
    events,
  );
}

/** Sweeper: a running job whose lease expired by `now` goes back to queued for any worker. */
export function expireLease(
  cas: JobCas,
  jobId: string,
  expectedVersion: number,
  now: number,
): Promise<CasResult> {
  return cas.write(
    jobId,
    expectedVersion,
    { status: "queued", lease: null },
    now,
    { status: "running", $or: [{ lease: null }, { "lease.expiresAt": { $lte: now } }] },
    [{ at: now, type: "lease_expired" }],
  );
}

/** Sweeper: a due queued job is marked re-driven (see `JobStore.requeue`). */
export function requeue(
  cas: JobCas,
  jobId: string,
  expectedVersion: number,
  now: number,
): Promise<CasResult> {
  return cas.write(
    jobId,
    expectedVersion,
    { status: "queued", wakeAt: null },
    now,
    { status: "queued", $or: [{ wakeAt: null }, { wakeAt: { $lte: now } }] },
    [{ at: now, type: "requeued" }],
  );
}
