/**
 * OPERATOR / SWEEPER ONLY: the cross-tenant queries over the `jobs` collection. These are the one
 * documented exception to tenant scoping (invariant 3): they take the raw collection and read every
 * tenant's jobs, returning only `(tenantId, jobId, version)` triples (with the job's trace context,
 * which a re-sent work message carries). Acting on a triple goes back
 * through the tenant's scoped `JobStore` (`expireLease` / `requeue`, a CAS at that version), so two
 * sweepers that find the same job race on the CAS and only the winner re-enqueues it.
 *
 * A row that does not parse (a hand-edited `_id`, `tenantId` or `version`) is not a candidate: it is
 * handed to `onInvalid` with its field paths, and the other rows of the batch are returned as usual,
 * so one bad document never stops a pass for every tenant.
 *
 * Call them once per database that holds jobs (the shared one and each dedicated tenant's).
 * Application code must not import this module; worker, scheduler and API code reach jobs through
 * `scopedCollection` only.
 */
import type { Collection, Db, Filter, Sort } from "mongodb";
import { z } from "zod";
import { TenantIdSchema } from "../tenancy/tenant-id.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import type { JobDoc } from "./job-doc.ts";
import { COLLECTIONS } from "../mongo/collections.ts";
import { TraceContextSchema, type TraceContext } from "../tracing/trace-context.ts";

/** The raw `jobs` collection of one database holding jobs, for these queries only. */
export function sweptJobs(db: Db): Collection<JobDoc> {
  return db.collection<JobDoc>(COLLECTIONS.jobs);
}

export interface SweepCandidate {
  tenantId: TenantId;
  jobId: string;
  version: number;
  /** The job's trace context (its re-sent work message carries it). */
  trace?: TraceContext;
}

/** A row that failed to parse: what could be read of it, and why. */
export interface InvalidSweepRow {
  /** The raw `_id` when it is a string (else null: the row cannot even be named to a store). */
  jobId: string | null;
  /** The tenant id when it parses on its own (else null: no tenant-scoped store can reach it). */
  tenantId: TenantId | null;
  issues: { path: string; message: string }[];
}

export interface SweeperQueryOptions {
  /** Called for each row that fails to parse (default: ignored). */
  onInvalid?: (row: InvalidSweepRow) => void;
}

const CandidateSchema = z.object({
  _id: z.string(),
  tenantId: TenantIdSchema,
  version: z.int().nonnegative(),
  // A malformed trace context only goes untraced; the job itself is judged elsewhere.
  trace: TraceContextSchema.optional().catch(undefined),
});

export interface SweeperQueries {
  /** Running jobs whose lease expired by `now` (or that have none), oldest expiry first. */
  findExpiredLeases(now: number, limit: number): Promise<SweepCandidate[]>;
  /** Queued jobs resting on a Wait whose `wakeAt` is at or before `now`, earliest first. */
  findDueWakeups(now: number, limit: number): Promise<SweepCandidate[]>;
  /** Queued jobs with no pending wake-up, untouched since before `olderThan` (lost work message). */
  findStaleQueued(olderThan: number, limit: number): Promise<SweepCandidate[]>;
  /** Jobs in `needs_review` whose review's `timeoutAt` is at or before `now`, earliest first. */
  findOverdueReviews(now: number, limit: number): Promise<SweepCandidate[]>;
  /**
   * Jobs the API recorded whose intake message was never confirmed sent (ADR 0026): still queued
   * and awaiting release, `intakePending`, created (= last updated) before `olderThan`.
   */
  findUnsentIntake(olderThan: number, limit: number): Promise<SweepCandidate[]>;
}

export function createSweeperQueries(
  jobs: Collection<JobDoc>,
  options: SweeperQueryOptions = {},
): SweeperQueries {
  const run = async (filter: Filter<JobDoc>, sort: Sort, limit: number): Promise<SweepCandidate[]> => {
    if (!Number.isInteger(limit) || limit <= 0) throw new RangeError(`limit must be a positive integer`);
    const rows = await jobs
      .find(filter, { projection: { _id: 1, tenantId: 1, version: 1, trace: 1 }, sort, limit })
      .toArray();
    const out: SweepCandidate[] = [];
    for (const row of rows) {
      const c = CandidateSchema.safeParse(row);
      if (c.success) {
        const { tenantId, _id: jobId, version, trace } = c.data;
        out.push({ tenantId, jobId, version, ...(trace !== undefined ? { trace } : {}) });
        continue;
      }
      const raw = row as { _id?: unknown; tenantId?: unknown };
      const tenant = TenantIdSchema.safeParse(raw.tenantId);
      options.onInvalid?.({
        jobId: typeof raw._id === "string" ? raw._id : null,
        tenantId: tenant.success ? tenant.data : null,
        issues: c.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
      });
    }
    return out;
  };
  return {
    findExpiredLeases: (now, limit) =>
      run(
        { status: "running", $or: [{ lease: null }, { "lease.expiresAt": { $lte: now } }] },
        { "lease.expiresAt": 1, _id: 1 },
        limit,
      ),
    findDueWakeups: (now, limit) =>
      run({ status: "queued", wakeAt: { $lte: now } }, { wakeAt: 1, _id: 1 }, limit),
    findStaleQueued: (olderThan, limit) =>
      run(
        // A job the API created waits for its intake message's release, not for a work message.
        { status: "queued", wakeAt: null, updatedAt: { $lt: olderThan }, awaitingRelease: { $ne: true } },
        { updatedAt: 1, _id: 1 },
        limit,
      ),
    findOverdueReviews: (now, limit) =>
      run(
        { status: "needs_review", "review.timeoutAt": { $lte: now } },
        { "review.timeoutAt": 1, _id: 1 },
        limit,
      ),
    findUnsentIntake: (olderThan, limit) =>
      run(
        { status: "queued", awaitingRelease: true, intakePending: true, updatedAt: { $lt: olderThan } },
        { updatedAt: 1, _id: 1 },
        limit,
      ),
  };
}
