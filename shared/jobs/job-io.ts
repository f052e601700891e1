/**
 * The job store's reads by id and compare-and-set writes, coalesced per event-loop turn (group
 * commit, ADR 0004): the jobs a worker runs at once share round trips to MongoDB.
 *
 * - `read(jobId)`: one request alone is a `findOne({ _id })`; several are one
 *   `find({ _id: { $in } })`.
 * - `write({ jobId, expectedVersion, filter, update })`: one request alone is an `updateOne`;
 *   several are one unordered `bulkWrite` of `updateOne`s, each the very same compare-and-set. When
 *   every op matched (the matched count equals the op count; each filter names one `_id`), each
 *   applied. When fewer matched, the count does not say which, so the documents are read back.
 *
 * Telling them apart exactly: every CAS write (bulk or not) also pushes a fresh token onto the
 * document's `casTokens`, which keeps the last `CAS_TOKEN_LOG`. On read-back, an op applied iff its
 * token is in the log. A token can only have left the log if `CAS_TOKEN_LOG` more writes followed
 * it, and each write bumps `version` by one, so: token absent and `version - expectedVersion <=
 * CAS_TOKEN_LOG` means it did not apply; token absent and the version further on (that many writes
 * between the bulk's reply and the read-back, one round trip) cannot be decided, and the op fails
 * with `CasOutcomeUnknownError` — the same ambiguity as a connection lost after a write was sent,
 * which callers already treat as an error. (A single "last token" field is not enough: a write
 * that applied and was then overwritten by the next writer would read as lost, and a caller
 * retrying its read-modify-write would apply it twice. The group-commit property test caught it.)
 * If the read-back itself fails, every op of that bulk rejects with its error: again an unknown
 * outcome, never a guess.
 *
 * Every call goes through the tenant-scoped collection, so scoping is unchanged. `casTokens` is a
 * store-internal field (the job schema strips it on read).
 */
import { randomBytes } from "node:crypto";
import type { Filter, UpdateFilter } from "mongodb";
import type { ScopedCollection } from "../tenancy/scoped-collection.ts";
import { Coalescer, type Outcome } from "./coalescer.ts";
import type { JobDoc } from "./job-doc.ts";

/** Most documents per coalesced command. */
export const MAX_COALESCED = 64;
/** Write tokens kept per document (see the module comment). */
export const CAS_TOKEN_LOG = 8;

export interface CasWrite {
  jobId: string;
  expectedVersion: number;
  /** Names `_id: jobId` and `version: expectedVersion` (and any guard). */
  filter: Filter<JobDoc>;
  /** Bumps `version` by one. */
  update: UpdateFilter<JobDoc>;
}

/** A coalesced write whose outcome could not be read back (see the module comment). Retryable. */
export class CasOutcomeUnknownError extends Error {
  readonly code = "cas_outcome_unknown" as const;
  readonly retryable = true as const;
  constructor(
    readonly jobId: string,
    readonly expectedVersion: number,
    readonly versionNow: number,
  ) {
    super(
      `job ${jobId}: cannot tell whether the write on version ${expectedVersion} applied ` +
        `(version is now ${versionNow}, more than ${CAS_TOKEN_LOG} writes later)`,
    );
    this.name = "CasOutcomeUnknownError";
  }
}

export interface JobIoOptions {
  /** Off: every call is its own round trip (as in a store without group commit). */
  coalesce?: boolean;
}

export class JobIo {
  readonly #jobs: ScopedCollection<JobDoc>;
  readonly #reads: Coalescer<string, unknown>;
  readonly #writes: Coalescer<CasWrite, boolean>;
  readonly #coalesce: boolean;
  readonly #token = tokenSource();

  constructor(jobs: ScopedCollection<JobDoc>, options: JobIoOptions = {}) {
    this.#jobs = jobs;
    this.#coalesce = options.coalesce ?? true;
    this.#reads = new Coalescer(
      (ids) => this.#readMany(ids),
      (id) => id,
      { maxBatch: MAX_COALESCED },
    );
    this.#writes = new Coalescer(
      (ws) => this.#writeMany(ws),
      (w) => w.jobId,
      { maxBatch: MAX_COALESCED },
    );
  }

  /** The raw stored document (unvalidated), or null. */
  read(jobId: string): Promise<unknown> {
    return this.#coalesce ? this.#reads.submit(jobId) : this.#readOne(jobId);
  }

  /** True iff the compare-and-set matched (and so applied). */
  write(w: CasWrite): Promise<boolean> {
    return this.#coalesce ? this.#writes.submit(w) : this.#writeOne(w);
  }

  #readOne(jobId: string): Promise<unknown> {
    return this.#jobs.findOne({ _id: jobId });
  }

  async #writeOne(w: CasWrite): Promise<boolean> {
    const res = await this.#jobs.updateOne(w.filter, withToken(w.update, this.#token()));
    return res.matchedCount === 1;
  }

  async #readMany(ids: readonly string[]): Promise<Outcome<unknown>[]> {
    if (ids.length === 1) return [{ ok: true, value: await this.#readOne(ids[0]!) }];
    const docs = await this.#jobs.find({ _id: { $in: [...ids] } }).toArray();
    const byId = new Map<string, unknown>(docs.map((d) => [d._id, d]));
    return ids.map((id) => ({ ok: true, value: byId.get(id) ?? null }));
  }

  async #writeMany(ws: readonly CasWrite[]): Promise<Outcome<boolean>[]> {
    if (ws.length === 1) return [{ ok: true, value: await this.#writeOne(ws[0]!) }];
    const tokens = ws.map(() => this.#token());
    const ops = ws.map((w, i) => ({ filter: w.filter, update: withToken(w.update, tokens[i]!) }));
    const { matchedCount, errors } = await this.#jobs.bulkUpdateOne(ops);
    if (errors.size === 0 && matchedCount === ws.length) return ws.map(() => ({ ok: true, value: true }));
    const unsure = ws.filter((_, i) => !errors.has(i)).map((w) => w.jobId);
    const held = new Map<string, { version: number; tokens: readonly unknown[] }>();
    if (unsure.length > 0) {
      const docs = await this.#jobs
        .find({ _id: { $in: unsure } }, { projection: { _id: 1, version: 1, casTokens: 1 } })
        .toArray();
      for (const d of docs) {
        const tokens = (d as { casTokens?: unknown }).casTokens;
        held.set(d._id, { version: d.version, tokens: Array.isArray(tokens) ? tokens : [] });
      }
    }
    return ws.map((w, i): Outcome<boolean> => {
      const error = errors.get(i);
      if (error !== undefined) return { ok: false, error };
      const doc = held.get(w.jobId);
      if (doc === undefined) return { ok: true, value: false }; // no such document (for this tenant)
      if (doc.tokens.includes(tokens[i])) return { ok: true, value: true };
      if (doc.version - w.expectedVersion <= CAS_TOKEN_LOG) return { ok: true, value: false };
      return { ok: false, error: new CasOutcomeUnknownError(w.jobId, w.expectedVersion, doc.version) };
    });
  }
}

/** `update` that also pushes `token` onto the document's write-token log. */
function withToken(update: UpdateFilter<JobDoc>, token: string): UpdateFilter<JobDoc> {
  const push = { ...(update.$push ?? {}), casTokens: { $each: [token], $slice: -CAS_TOKEN_LOG } };
  return { ...update, $push: push } as UpdateFilter<JobDoc>;
}

/** Process-unique tokens: a random prefix and a counter. */
function tokenSource(): () => string {
  const prefix = randomBytes(6).toString("hex");
  let n = 0;
  return () => `${prefix}.${(n++).toString(36)}`;
}
