/**
 * The CAS store: every job-state write is a compare-and-set on `version` (invariant 1).
 *
 *   updateOne({ _id, tenantId, version: expected, status: { $in: predecessorsOf(to) } },
 *             { $set: { ...patch, updatedAt: now }, $inc: { version: 1 }, $push: history })
 *
 * The status filter applies the transition table inside the same single write, so no read precedes
 * a write. When nothing matched the store reloads the document: if it is still at the expected
 * version the transition was illegal (`IllegalTransitionError` is thrown); otherwise another writer
 * won and `{ ok: false, current }` hands back what is there now for the caller to re-decide. It never
 * overwrites. History events travel in the same write (`$push` with `$slice`), so one transition is
 * one MongoDB write.
 *
 * Claims read the job, decide (`decideClaim` in decide-claim.ts, pure) and CAS with a filter that restates the decision,
 * so a claim that lost a race (or whose lease condition changed in between) writes nothing.
 *
 * Group commit (job-io.ts, ADR 0004): reads by id and CAS writes made by concurrent jobs in the same
 * event-loop turn share one MongoDB command (`find` with `$in`, an unordered `bulkWrite`); each
 * write is still its own compare-and-set with its own outcome.
 *
 * Patches are validated field by field (job-patch.ts; the engine's execution state only for its
 * shape); documents are validated when read.
 *
 * The one write that does not bump `version` is `extendLease`: a heartbeat only moves the lease
 * expiry, fenced by the lease owner, so a worker's heartbeat never makes its own checkpoint lose.
 * Claims restate their lease condition in the write filter, so a heartbeat that lands between a
 * stealer's read and its write makes the steal lose.
 *
 * Time is always a parameter (`now`, epoch ms); nothing here reads the clock.
 */
import { MongoServerError } from "mongodb";
import type { Filter, UpdateFilter } from "mongodb";
import { TenantScopeError } from "../tenancy/scoped-collection.ts";
import type { ScopedCollection } from "../tenancy/scoped-collection.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import { HISTORY_LIMIT, HistoryEventSchema, JobDocSchema, parseJobDoc } from "./job-doc.ts";
import type { HistoryEvent, JobDoc, JobPatch } from "./job-doc.ts";
import { JobIo, type JobIoOptions } from "./job-io.ts";
import { retireInvalidJob, type RetireOutcome } from "./invalid-job.ts";
import { impliedFields, validatePatch, withoutUndefined } from "./job-patch.ts";
import { IllegalTransitionError, canTransition, predecessorsOf } from "./transitions.ts";
import {
  attemptsWithoutProgress,
  claimGuard,
  decideClaim,
  exhaustedCause,
  POISON_ERROR,
  type ClaimHow,
} from "./decide-claim.ts";
import { casRetry, type CasRound } from "./cas-retry.ts";
import {
  decideCancel,
  decidePoisonMessage,
  decideRetry,
  operationGuard,
  type OperationDecision,
  type OperatorNote,
  type RetryFrom,
} from "./job-operations.ts";

export { decideClaim, type ClaimHow } from "./decide-claim.ts";

/**
 * `ok: false` means nothing was written. `current` is the document now (null: no such job for this
 * tenant); if `current.version` is still the expected one, a method's extra guard refused the write
 * (e.g. `releaseLease` by a worker that no longer owns the lease, `requeue` of a job not yet due).
 */
export type CasResult = { ok: true; version: number } | { ok: false; current: JobDoc | null };

export interface CasOptions {
  /** Events appended to `history` in the same write (the oldest are dropped past `HISTORY_LIMIT`). */
  history?: readonly HistoryEvent[];
}

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

export { InvalidJobPatchError } from "./job-patch.ts";

export type LeaseResult = { ok: true; expiresAt: number } | { ok: false; current: JobDoc | null };

/** What an operator's operation (cancel, retry) did: `job` as written, or why nothing was. */
export type OperationResult =
  | { ok: true; job: JobDoc }
  | { ok: false; reason: "not_found" | "contended"; job: JobDoc | null }
  /** `skip`: a poisoned message's job is terminal or run by another worker; nothing written. */
  | { ok: false; reason: "terminal" | "not_retryable" | "skip"; job: JobDoc };

/** The document as the store just wrote it (what the server now holds). */
function applied(
  job: JobDoc,
  set: JobPatch,
  now: number,
  version: number,
  events: readonly HistoryEvent[],
): JobDoc {
  return {
    ...job,
    ...set,
    updatedAt: now,
    version,
    history: [...job.history, ...events].slice(-HISTORY_LIMIT),
  };
}

export class JobStore {
  readonly #jobs: ScopedCollection<JobDoc>;
  readonly #io: JobIo;

  constructor(jobs: ScopedCollection<JobDoc>, options: JobIoOptions = {}) {
    this.#jobs = jobs;
    this.#io = new JobIo(jobs, options);
  }

  get tenantId(): TenantId {
    return this.#jobs.tenantId;
  }

  /**
   * Inserts a new job, idempotent on `{ tenantId, idempotencyKey }` (needs `ensureIndexes` from shared/mongo): a
   * duplicate returns the job already there with `created: false`, whatever the new document says.
   */
  async create(doc: JobDoc): Promise<{ created: boolean; job: JobDoc }> {
    const job = JobDocSchema.parse(doc);
    if (job.tenantId !== this.tenantId) {
      throw new TenantScopeError(
        `job for tenant "${job.tenantId}" created through tenant "${this.tenantId}"`,
      );
    }
    try {
      await this.#jobs.insertOne(job);
      return { created: true, job };
    } catch (err) {
      if (!(err instanceof MongoServerError) || err.code !== 11000) throw err;
      const existing = await this.findByIdempotencyKey(job.idempotencyKey);
      if (existing === null) throw err; // a job id collision, not an idempotent retry
      return { created: false, job: existing };
    }
  }

  async get(jobId: string): Promise<JobDoc | null> {
    const raw = await this.#io.read(jobId);
    return raw === null ? null : parseJobDoc(raw);
  }

  /**
   * Marks the job `failed` with `Sluice.InvalidJobDocument` if its document fails validation (a CAS
   * on the version it has; the document as it was kept under `invalid.raw`). See invalid-job.ts.
   */
  retireInvalid(jobId: string, now: number): Promise<RetireOutcome> {
    return retireInvalidJob(this.#jobs, jobId, now);
  }

  async findByIdempotencyKey(idempotencyKey: string): Promise<JobDoc | null> {
    const raw = await this.#jobs.findOne({ idempotencyKey });
    return raw === null ? null : parseJobDoc(raw);
  }

  /** This tenant's jobs in `status`, oldest first (e.g. the review queue). */
  async findByStatus(status: JobDoc["status"], limit = 100): Promise<JobDoc[]> {
    const rows = await this.#jobs.find({ status }, { sort: { updatedAt: 1, _id: 1 }, limit }).toArray();
    return rows.map((r) => parseJobDoc(r));
  }

  /**
   * Writes `patch` if the job is still at `expectedVersion`, bumping it by one. A status change in
   * the patch must be allowed from the job's current status, else `IllegalTransitionError`.
   */
  casUpdate(
    jobId: string,
    expectedVersion: number,
    patch: JobPatch,
    now: number,
    options: CasOptions = {},
  ): Promise<CasResult> {
    return this.#cas(jobId, expectedVersion, patch, now, {}, options.history ?? []);
  }

  /**
   * Takes the job for `owner` until `now + leaseMs`: a queued job that is due, or a running job whose
   * lease expired (stolen). A live lease is refused (`leased`) even when it is `owner`'s own (see
   * decide-claim.ts). Sets status `running`, clears `wakeAt`, and counts an attempt (and one more
   * attempt without progress). A job whose last `maxAttempts` runs made no progress is failed with
   * `Sluice.Poison` instead (`poisoned`). A lost race reloads and re-decides.
   */
  async claim(
    jobId: string,
    owner: string,
    leaseMs: number,
    now: number,
    maxAttempts = Infinity,
  ): Promise<ClaimResult> {
    let job: JobDoc | null = null;
    const claimed = await casRetry<ClaimResult>(async (): Promise<CasRound<ClaimResult>> => {
      job = await this.get(jobId);
      if (job === null) return { done: { ok: false, reason: "not_found", job } };
      const decision = decideClaim(job, now, maxAttempts);
      if (!decision.claimable && decision.reason === "exhausted") {
        const r = await this.failExhausted(job, decision.how, now, maxAttempts);
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
      const result = await this.#cas(jobId, job.version, patch, now, claimGuard(decision.how, now), events);
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

  /**
   * Operator: cancels a job that is not terminal (decideCancel, job-operations.ts): `cancelled`, with
   * the lease, a Wait's `wakeAt` and a pending review cleared, so nothing wakes or resumes it; a
   * running worker's next write loses its CAS and stops. Recorded in history with `by`/`reason`.
   * Refused (`terminal`) on a complete, failed or cancelled job. The caller gives the slot back.
   */
  cancel(jobId: string, now: number, note: OperatorNote = {}): Promise<OperationResult> {
    return this.#operate(jobId, now, (job) => decideCancel(job, now, note));
  }

  /**
   * Operator: a new attempt of a failed or cancelled job (decideRetry): back to `queued`, from its
   * last checkpoint (execution state kept) or from the start (cleared). Refused (`not_retryable`)
   * otherwise. The caller holds a running slot for it and sends the work message.
   */
  retry(jobId: string, from: RetryFrom, now: number, note: OperatorNote = {}): Promise<OperationResult> {
    return this.#operate(jobId, now, (job) => decideRetry(job, from, now, note));
  }

  /**
   * A review decision is recorded (workers/review.ts decides it on the job read at
   * `expectedVersion`): needs_review → queued with the execution the decision leads to, the review
   * cleared, `event` in history. The filter restates that the job still waits for review, so a
   * cancel or another decision that came first makes it lose.
   */
  decideReview(
    jobId: string,
    expectedVersion: number,
    fields: Pick<JobPatch, "execution" | "executionRef" | "resultRefs">,
    now: number,
    event: HistoryEvent,
  ): Promise<CasResult> {
    return this.#cas(
      jobId,
      expectedVersion,
      { ...fields, status: "queued", review: null, wakeAt: null },
      now,
      { status: "needs_review" },
      [event],
    );
  }

  /**
   * A work message's last allowed receive failed: the job it names is failed with `Sluice.Poison`
   * and the reason (decidePoisonMessage), unless it is terminal or another worker than `owner` holds
   * a live lease on it (`skip`: nothing written).
   */
  poisonMessage(
    jobId: string,
    owner: string,
    now: number,
    detail: { messageId: string; reason: string },
  ): Promise<OperationResult> {
    return this.#operate(jobId, now, (job) =>
      decidePoisonMessage(job, owner, now, { ...detail, error: POISON_ERROR }),
    );
  }

  async #operate(
    jobId: string,
    now: number,
    decide: (job: JobDoc) => OperationDecision,
  ): Promise<OperationResult> {
    let job: JobDoc | null = null;
    const done = await casRetry<OperationResult>(async (): Promise<CasRound<OperationResult>> => {
      job = await this.get(jobId);
      if (job === null) return { done: { ok: false, reason: "not_found", job } };
      const d = decide(job);
      if (!d.ok) return { done: { ok: false, reason: d.reason, job } };
      // The guard restates the status decided on (it replaces the table's predecessor filter: a retry
      // leaves a terminal status, which only this operator operation may do).
      const r = await this.#cas(jobId, job.version, d.patch, now, operationGuard(d), [d.event]);
      if (!r.ok) return "lost";
      return { done: { ok: true, job: applied(job, d.patch, now, r.version, [d.event]) } };
    });
    return done ?? { ok: false, reason: "contended", job };
  }

  /**
   * Fails a job that is out of attempts (`decideClaim` said `exhausted`, with `how` it could have
   * been claimed): `failed`, `Sluice.Poison`, the reason as `cause`. The write restates that nobody
   * holds the job (`claimGuard(how)`), so a live run is never failed under its feet. Used by the
   * claim and by the sweeper for a job whose last allowed run died (lease expired).
   */
  async failExhausted(
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
    const r = await this.#cas(job._id, job.version, patch, now, claimGuard(how, now), events);
    return r.ok ? { ok: true, job: applied(job, patch, now, r.version, events) } : r;
  }

  /**
   * Appends events to a job's history without a state change and without bumping `version` (like
   * `extendLease`): a note such as a rejected work message must never make a running worker's next
   * checkpoint lose. False when there is no such job for this tenant.
   */
  async appendHistory(jobId: string, events: readonly HistoryEvent[]): Promise<boolean> {
    const parsed = events.map((e) => withoutUndefined(HistoryEventSchema.parse(e)));
    const res = await this.#jobs.updateOne(
      { _id: jobId },
      { $push: { history: { $each: parsed, $slice: -HISTORY_LIMIT } } },
    );
    return res.matchedCount === 1;
  }

  /** Moves `owner`'s lease expiry to `now + leaseMs` without bumping `version` (see module doc). */
  async extendLease(jobId: string, owner: string, leaseMs: number, now: number): Promise<LeaseResult> {
    const expiresAt = now + leaseMs;
    const res = await this.#jobs.updateOne(
      { _id: jobId, status: "running", "lease.owner": owner },
      { $set: { "lease.expiresAt": expiresAt } },
    );
    return res.matchedCount === 1 ? { ok: true, expiresAt } : { ok: false, current: await this.get(jobId) };
  }

  /**
   * `owner` gives the job back: running → queued, lease cleared. Used at shutdown and to rest on a
   * Wait (`{ wakeAt, execution }` in `patch`). Fails if the lease is no longer `owner`'s.
   */
  releaseLease(
    jobId: string,
    owner: string,
    expectedVersion: number,
    now: number,
    patch: Omit<JobPatch, "status" | "lease"> = {},
    options: CasOptions = {},
  ): Promise<CasResult> {
    const events = options.history ?? [{ at: now, type: "lease_released", detail: { owner } }];
    return this.#cas(
      jobId,
      expectedVersion,
      { ...patch, status: "queued", lease: null },
      now,
      { status: "running", "lease.owner": owner },
      events,
    );
  }

  /** Sweeper: a running job whose lease expired by `now` goes back to queued for any worker. */
  expireLease(jobId: string, expectedVersion: number, now: number): Promise<CasResult> {
    return this.#cas(
      jobId,
      expectedVersion,
      { status: "queued", lease: null },
      now,
      { status: "running", $or: [{ lease: null }, { "lease.expiresAt": { $lte: now } }] },
      [{ at: now, type: "lease_expired" }],
    );
  }

  /**
   * Sweeper: a due queued job (no `wakeAt`, or `wakeAt <= now`) is marked re-driven (queued → queued,
   * `wakeAt` cleared, `updatedAt` = now). Only the sweeper whose CAS wins re-sends the work message.
   */
  requeue(jobId: string, expectedVersion: number, now: number): Promise<CasResult> {
    return this.#cas(
      jobId,
      expectedVersion,
      { status: "queued", wakeAt: null },
      now,
      { status: "queued", $or: [{ wakeAt: null }, { wakeAt: { $lte: now } }] },
      [{ at: now, type: "requeued" }],
    );
  }

  async #cas(
    jobId: string,
    expectedVersion: number,
    patch: JobPatch,
    now: number,
    guard: Filter<JobDoc>,
    history: readonly HistoryEvent[],
  ): Promise<CasResult> {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new RangeError(`expected version must be a non-negative integer, got ${expectedVersion}`);
    }
    const set = impliedFields(validatePatch(this.tenantId, patch), now);
    const events = history.map((e) => withoutUndefined(HistoryEventSchema.parse(e)));
    const filter: Filter<JobDoc> = {
      _id: jobId,
      version: expectedVersion,
      ...(set.status !== undefined ? { status: { $in: predecessorsOf(set.status) } } : {}),
      ...guard,
    };
    const update: UpdateFilter<JobDoc> = {
      $set: { ...set, updatedAt: now },
      $inc: { version: 1 },
      ...(events.length > 0 ? { $push: { history: { $each: events, $slice: -HISTORY_LIMIT } } } : {}),
    };
    if (await this.#io.write({ jobId, expectedVersion, filter, update }))
      return { ok: true, version: expectedVersion + 1 };
    const current = await this.get(jobId);
    if (current !== null && current.version === expectedVersion && set.status !== undefined) {
      if (!canTransition(current.status, set.status)) {
        throw new IllegalTransitionError(current.status, set.status, jobId);
      }
    }
    return { ok: false, current };
  }
}

/** The job store of the tenant that `jobs` is scoped to. */
export const createJobStore = (jobs: ScopedCollection<JobDoc>): JobStore => new JobStore(jobs);
