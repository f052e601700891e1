/**
 * The compare-and-set core of the job store: every job-state write is a compare-and-set on
 * `version` (invariant 1).
 *
 *   updateOne({ _id, tenantId, version: expected, status: { $in: predecessorsOf(to) }, ...guard },
 *             { $set: { ...patch, updatedAt: now }, $inc: { version: 1 }, $push: history })
 *
 * The status filter applies the transition table inside the same single write, so no read precedes
 * a write; a named operation adds a `guard` that restates what it decided on (the lease owner, the
 * status it read). When nothing matched the core reloads the document: if it is still at the
 * expected version and the status change is illegal, `IllegalTransitionError` is thrown; otherwise
 * another writer won (or the guard refused) and `{ ok: false, current }` hands back what is there
 * now for the caller to re-decide. It never overwrites. History events travel in the same write
 * (`$push` with `$slice`), so one transition is one MongoDB write.
 *
 * Group commit (job-io.ts, ADR 0004): reads by id and CAS writes made by concurrent jobs in the same
 * event-loop turn share one MongoDB command; each write is still its own compare-and-set.
 *
 * Patches are validated field by field (job-patch.ts; the engine's execution state only for its
 * shape); documents are validated when read. Time is always a parameter (`now`, epoch ms).
 */
import type { Filter, UpdateFilter } from "mongodb";
import type { ScopedCollection } from "../tenancy/scoped-collection.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import { HISTORY_LIMIT, HistoryEventSchema, parseJobDoc } from "./job-doc.ts";
import type { HistoryEvent, JobDoc, JobPatch } from "./job-doc.ts";
import { JobIo, type JobIoOptions } from "./job-io.ts";
import { impliedFields, validatePatch, withoutUndefined } from "./job-patch.ts";
import { IllegalTransitionError, canTransition, predecessorsOf } from "./transitions.ts";

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

/** The document as the store just wrote it (what the server now holds). */
export function applied(
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

/** One tenant's job documents: validated reads by id and guarded compare-and-set writes. */
export class JobCas {
  readonly jobs: ScopedCollection<JobDoc>;
  readonly #io: JobIo;

  constructor(jobs: ScopedCollection<JobDoc>, options: JobIoOptions = {}) {
    this.jobs = jobs;
    this.#io = new JobIo(jobs, options);
  }

  get tenantId(): TenantId {
    return this.jobs.tenantId;
  }

  async get(jobId: string): Promise<JobDoc | null> {
    const raw = await this.#io.read(jobId);
    return raw === null ? null : parseJobDoc(raw);
  }

  /** Writes `patch` (with `history`) if the job is at `expectedVersion` and matches `guard`. */
  async write(
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
