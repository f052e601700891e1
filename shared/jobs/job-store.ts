/**
 * The job store: one tenant's job documents, and every write to them as a named operation. It is a
 * facade over small modules, one concept each:
 *
 * - job-cas.ts — the compare-and-set core (every write is one CAS on `version`, the transition table
 *   and the operation's guard in the same filter) and validated reads;
 * - job-leases.ts — claim, extendLease, releaseLease, expireLease, requeue, failExhausted;
 * - job-run-writes.ts — a run's writes: checkpoint, rest, release, park, finish (fenced by the run's
 *   own version and lease; a lost one is final);
 * - job-operator-writes.ts — cancel, retry, a poisoned message's failure (decided purely in
 *   job-operations.ts), a review decision;
 * - invalid-job.ts — retiring a document that fails validation.
 *
 * Read-decide-write operations go round the one retry loop (cas-retry.ts). `casUpdate` is the bare
 * CAS the operations are built on: production code outside shared/jobs never calls it (a lint rule
 * says so, eslint.config.js); the store's own contract tests do.
 */
import { MongoServerError, type Filter } from "mongodb";
import { TenantScopeError } from "../tenancy/scoped-collection.ts";
import type { ScopedCollection } from "../tenancy/scoped-collection.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import { HISTORY_LIMIT, HistoryEventSchema, JobDocSchema, parseJobDoc } from "./job-doc.ts";
import type { HistoryEvent, JobDoc, JobPatch, Review } from "./job-doc.ts";
import type { JobIoOptions } from "./job-io.ts";
import { retireInvalidJob, type RetireOutcome } from "./invalid-job.ts";
import { withoutUndefined } from "./job-patch.ts";
import { POISON_ERROR, type ClaimHow } from "./decide-claim.ts";
import { JobCas, type CasOptions, type CasResult } from "./job-cas.ts";
import * as leases from "./job-leases.ts";
import type { ClaimResult, LeaseResult } from "./job-leases.ts";
import * as runs from "./job-run-writes.ts";
import type { RunEnd, RunFence, RunFields } from "./job-run-writes.ts";
import { decideReview, operate, type OperationResult } from "./job-operator-writes.ts";
import {
  decideCancel,
  decidePoisonMessage,
  decideRetry,
  type OperatorNote,
  type RetryFrom,
} from "./job-operations.ts";

export { decideClaim, type ClaimHow } from "./decide-claim.ts";
export { InvalidJobPatchError } from "./job-patch.ts";
export type { CasOptions, CasResult } from "./job-cas.ts";
export type { ClaimResult, LeaseResult } from "./job-leases.ts";
export type { OperationResult } from "./job-operator-writes.ts";
export type { RunEnd, RunFence, RunFields } from "./job-run-writes.ts";

export interface JobListQuery {
  readonly status?: JobDoc["status"];
  readonly workflow?: string;
  /** Jobs created at or after (epoch ms). */
  readonly since?: number;
  /** The last job of the previous page. */
  readonly after?: { readonly createdAt: number; readonly jobId: string };
  readonly limit: number;
}

export class JobStore {
  readonly #cas: JobCas;

  constructor(jobs: ScopedCollection<JobDoc>, options: JobIoOptions = {}) {
    this.#cas = new JobCas(jobs, options);
  }

  get tenantId(): TenantId {
    return this.#cas.tenantId;
  }

  get #jobs(): ScopedCollection<JobDoc> {
    return this.#cas.jobs;
  }

  // ---- reads and creation -------------------------------------------------------------------

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

  /**
   * The release adopts a job the API created before its intake message was released (ADR 0019):
   * `awaitingRelease` true → false, still `queued` (CAS at `expectedVersion`). From then on it holds a
   * slot and the sweeper watches it like any queued job.
   */
  markReleased(jobId: string, expectedVersion: number, now: number): Promise<CasResult> {
    return this.#cas.write(
      jobId,
      expectedVersion,
      { awaitingRelease: false },
      now,
      { status: "queued", awaitingRelease: true },
      [{ at: now, type: "released" }],
    );
  }

  /**
   * The intake messages of these jobs (created by the API with `intakePending`, ADR 0026) were sent:
   * the flag is cleared so the sweeper does not send them again. No version bump (like
   * `extendLease`): no CAS of a worker, the release or an operator ever loses to it. Returns how
   * many of these jobs were still pending; a job gone or already confirmed is no error. One round trip.
   */
  async confirmIntakeSent(jobIds: readonly string[]): Promise<number> {
    if (jobIds.length === 0) return 0;
    const outcome = await this.#jobs.bulkUpdateOne(
      jobIds.map((id) => ({
        filter: { _id: id, intakePending: true },
        update: { $unset: { intakePending: "" } },
      })),
    );
    const refused = outcome.errors.values().next();
    if (!refused.done) throw refused.value;
    return outcome.matchedCount;
  }

  /**
   * The intake message of a job the API created was rejected before its release (ADR 0019): the job,
   * still `queued` and `awaitingRelease`, is failed with `error` and `cause` (CAS at `expectedVersion`).
   */
  failSubmitted(
    jobId: string,
    expectedVersion: number,
    error: string,
    cause: string,
    now: number,
  ): Promise<CasResult> {
    return this.#cas.write(
      jobId,
      expectedVersion,
      { status: "failed", error, cause, finishedAt: now, awaitingRelease: false },
      now,
      { status: "queued", awaitingRelease: true },
      [{ at: now, type: "intake_rejected" }],
    );
  }

  get(jobId: string): Promise<JobDoc | null> {
    return this.#cas.get(jobId);
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
   * One page of this tenant's jobs, newest first (`createdAt`, then `_id`, both descending), strictly
   * after `after` when given: a page boundary that jobs created meanwhile (always newer) never move.
   */
  async listPage(query: JobListQuery): Promise<JobDoc[]> {
    const filter: Filter<JobDoc> = {};
    if (query.status !== undefined) filter.status = query.status;
    if (query.workflow !== undefined) filter["workflow.name"] = query.workflow;
    if (query.since !== undefined) filter.createdAt = { $gte: query.since };
    if (query.after !== undefined) {
      const { createdAt, jobId } = query.after;
      filter.$or = [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lt: jobId } }];
    }
    const rows = await this.#jobs
      .find(filter, { sort: { createdAt: -1, _id: -1 }, limit: query.limit })
      .toArray();
    return rows.map((r) => parseJobDoc(r));
  }

  /**
   * The bare compare-and-set: writes `patch` if the job is still at `expectedVersion`, bumping it by
   * one. A status change in the patch must be allowed from the job's current status, else
   * `IllegalTransitionError`. Not for production callers outside shared/jobs: they use a named
   * operation (see the module doc).
   */
  casUpdate(
    jobId: string,
    expectedVersion: number,
    patch: JobPatch,
    now: number,
    options: CasOptions = {},
  ): Promise<CasResult> {
    return this.#cas.write(jobId, expectedVersion, patch, now, {}, options.history ?? []);
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

  /**
   * Marks the job `failed` with `Sluice.InvalidJobDocument` if its document fails validation (a CAS
   * on the version it has; the document as it was kept under `invalid.raw`). See invalid-job.ts.
   */
  retireInvalid(jobId: string, now: number): Promise<RetireOutcome> {
    return retireInvalidJob(this.#jobs, jobId, now);
  }

  // ---- leases (job-leases.ts) ----------------------------------------------------------------

  /**
   * Takes the job for `owner` until `now + leaseMs`: a queued job that is due, or a running job whose
   * lease expired (stolen). A live lease is refused (`leased`) even when it is `owner`'s own (see
   * decide-claim.ts). Sets status `running`, clears `wakeAt`, and counts an attempt (and one more
   * attempt without progress). A job whose last `maxAttempts` runs made no progress is failed with
   * `Sluice.Poison` instead (`poisoned`). A lost race reloads and re-decides.
   */
  claim(
    jobId: string,
    owner: string,
    leaseMs: number,
    now: number,
    maxAttempts = Infinity,
  ): Promise<ClaimResult> {
    return leases.claim(this.#cas, jobId, owner, leaseMs, now, maxAttempts);
  }

  /**
   * Fails a job that is out of attempts (`decideClaim` said `exhausted`, with `how` it could have
   * been claimed): `failed`, `Sluice.Poison`, the reason as `cause`. The write restates that nobody
   * holds the job (`claimGuard(how)`), so a live run is never failed under its feet. Used by the
   * claim and by the sweeper for a job whose last allowed run died (lease expired).
   */
  failExhausted(
    job: JobDoc,
    how: ClaimHow,
    now: number,
    maxAttempts: number,
  ): Promise<{ ok: true; job: JobDoc } | { ok: false; current: JobDoc | null }> {
    return leases.failExhausted(this.#cas, job, how, now, maxAttempts);
  }

  /** Moves `owner`'s lease expiry to `now + leaseMs` without bumping `version`. */
  extendLease(jobId: string, owner: string, leaseMs: number, now: number): Promise<LeaseResult> {
    return leases.extendLease(this.#cas, jobId, owner, leaseMs, now);
  }

  /**
   * `owner` gives the job back: running → queued, lease cleared, `patch` written with it. Fails if
   * the lease is no longer `owner`'s. A run gives its job back with `rest` or `release`.
   */
  releaseLease(
    jobId: string,
    owner: string,
    expectedVersion: number,
    now: number,
    patch: Omit<JobPatch, "status" | "lease"> = {},
    options: CasOptions = {},
  ): Promise<CasResult> {
    return leases.releaseLease(this.#cas, jobId, owner, expectedVersion, now, patch, options);
  }

  /** Sweeper: a running job whose lease expired by `now` goes back to queued for any worker. */
  expireLease(jobId: string, expectedVersion: number, now: number): Promise<CasResult> {
    return leases.expireLease(this.#cas, jobId, expectedVersion, now);
  }

  /**
   * Sweeper: a due queued job (no `wakeAt`, or `wakeAt <= now`) is marked re-driven (queued → queued,
   * `wakeAt` cleared, `updatedAt` = now). Only the sweeper whose CAS wins re-sends the work message.
   */
  requeue(jobId: string, expectedVersion: number, now: number): Promise<CasResult> {
    return leases.requeue(this.#cas, jobId, expectedVersion, now);
  }

  // ---- a run's writes (job-run-writes.ts): fenced by the run's version and lease -------------

  /** The run's progress (execution state, result references); the job stays `running`. */
  checkpoint(jobId: string, fence: RunFence, fields: RunFields, now: number): Promise<CasResult> {
    return runs.checkpoint(this.#cas, jobId, fence, fields, now);
  }

  /** Rests the job on a Wait until `wakeAt`: queued, lease given back, progress written. */
  rest(jobId: string, fence: RunFence, fields: RunFields, wakeAt: number, now: number): Promise<CasResult> {
    return runs.rest(this.#cas, jobId, fence, fields, wakeAt, now);
  }

  /** Gives the job back (shutdown, or an error: `fields` empty): queued, lease cleared. */
  release(jobId: string, fence: RunFence, fields: RunFields, now: number): Promise<CasResult> {
    return runs.release(this.#cas, jobId, fence, fields, now);
  }

  /** Parks the job for a human decision (`needs_review` with `review`, `review_requested` in history). */
  park(jobId: string, fence: RunFence, fields: RunFields, review: Review, now: number): Promise<CasResult> {
    return runs.park(this.#cas, jobId, fence, fields, review, now);
  }

  /** The run's end: complete with its output, or failed. */
  finish(jobId: string, fence: RunFence, fields: RunFields, end: RunEnd, now: number): Promise<CasResult> {
    return runs.finish(this.#cas, jobId, fence, fields, end, now);
  }

  // ---- operations from outside the run (job-operator-writes.ts) -------------------------------

  /**
   * Operator: cancels a job that is not terminal (decideCancel, job-operations.ts): `cancelled`, with
   * the lease, a Wait's `wakeAt` and a pending review cleared, so nothing wakes or resumes it; a
   * running worker's next write loses its CAS and stops. Recorded in history with `by`/`reason`.
   * Refused (`terminal`) on a complete, failed or cancelled job. The caller gives the slot back.
   */
  cancel(jobId: string, now: number, note: OperatorNote = {}): Promise<OperationResult> {
    return operate(this.#cas, jobId, now, (job) => decideCancel(job, now, note));
  }

  /**
   * Operator: a new attempt of a failed or cancelled job (decideRetry): back to `queued`, from its
   * last checkpoint (execution state kept) or from the start (cleared). Refused (`not_retryable`)
   * otherwise. The caller holds a running slot for it and sends the work message.
   */
  retry(jobId: string, from: RetryFrom, now: number, note: OperatorNote = {}): Promise<OperationResult> {
    return operate(this.#cas, jobId, now, (job) => decideRetry(job, from, now, note));
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
    return decideReview(this.#cas, jobId, expectedVersion, fields, now, event);
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
    return operate(this.#cas, jobId, now, (job) =>
      decidePoisonMessage(job, owner, now, { ...detail, error: POISON_ERROR }),
    );
  }
}

/** The job store of the tenant that `jobs` is scoped to. */
export const createJobStore = (jobs: ScopedCollection<JobDoc>): JobStore => new JobStore(jobs);
