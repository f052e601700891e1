/**
 * Live quota reload: THE one place the scheduler reads tenant quota documents.
 *
 * The `tenants` collection (shared database) is an operator-level, cross-tenant collection: one
 * document per tenant that operators edit directly in MongoDB. This module reads it through the raw
 * collection, read-only, and feeds every document it reads into a `QuotaBook`, which validates it
 * (invariant 5): a valid document replaces the tenant's quota; an invalid one is logged field by field
 * (`rate.perSecond: must be > 0`) and the last valid quota keeps applying; a tenant that never had a
 * valid document is not schedulable. Nothing else in the scheduler queries `tenants`.
 *
 * Polling, not change streams. The local MongoDB-wire server (mongo-java-server) has no change
 * streams, so the design is a cheap poll that works the same on real MongoDB:
 * - every `pollIntervalMs` (default 500 ms): `find({ updatedAt > watermark - overlapMs })`, which on a
 *   quiet system returns the handful of documents edited in the last `overlapMs`. `updatedAt` may be a
 *   BSON date (`$currentDate`), epoch ms or an ISO string; the filter has one clause per type, since
 *   MongoDB compares values of the same type only. The watermark is the newest `updatedAt` *read*,
 *   i.e. the writers' clocks, never the scheduler's, so scheduler clock skew cannot skip an edit; the
 *   overlap re-reads a window behind it to cover writers whose clocks lag each other.
 * - every `fullResyncEvery` polls (default 20, i.e. 10 s): read the whole collection. That catches
 *   deletions (a deleted tenant is removed from the book), edits that forgot to touch `updatedAt`,
 *   and clock skew beyond the overlap.
 * - every document read is hashed; an unchanged one is skipped, so overlap re-reads and resyncs do not
 *   re-apply or re-log anything.
 * Trade-off: an edit applies within one poll interval plus one query (≈0.5 s) if it bumps `updatedAt`,
 * within one resync period if it does not, and a deletion within one resync period. Change streams
 * would push edits at once but need a replica set (or the wire server's oplog) and resume-token
 * bookkeeping; at hundreds of tenants the poll costs one indexed query returning nothing most of the
 * time (add a `{ updatedAt: 1 }` index on real MongoDB for large fleets).
 */
import type { Collection, Document, Filter } from "mongodb";
import type { Logger } from "pino";
import { QuotaBook } from "../quota/book.ts";
import type { QuotaApplyOutcome } from "../quota/book.ts";
import { formatProblem } from "../quota/schema.ts";
import type { QuotaProblem } from "../quota/schema.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { docHash, docKey, normalizeQuotaDoc, updatedAtMs } from "./quota-doc.ts";

export interface QuotaSourceOptions {
  readonly now: () => number;
  readonly log: Logger;
  /** Default 500 ms. */
  readonly pollIntervalMs?: number;
  /** A full read of the collection every N polls (deletes, edits without `updatedAt`); default 20. */
  readonly fullResyncEvery?: number;
  /** How far behind the watermark each poll re-reads (writer clock skew); default 2000 ms. */
  readonly overlapMs?: number;
  /** `updatedAt` values further than this ahead of `now()` do not move the watermark; default 60 s. */
  readonly maxFutureMs?: number;
  /** Defaults to a fresh book. */
  readonly book?: QuotaBook;
}

export interface RejectedDoc {
  /** The document's `_id`. */
  readonly key: string;
  readonly tenantId: TenantId | undefined;
  readonly problems: readonly QuotaProblem[];
  /** Version of the quota still applying, if any. */
  readonly keptVersion: number | undefined;
}

export interface PollReport {
  readonly kind: "incremental" | "full";
  /** Documents the query returned. */
  readonly read: number;
  /** Documents skipped because their content hash had not changed. */
  readonly unchanged: number;
  readonly applied: readonly TenantId[];
  readonly rejected: readonly RejectedDoc[];
  /** Valid documents older than the quota already applied (ignored, or forced at a full resync). */
  readonly stale: readonly TenantId[];
  /** Tenants whose document disappeared (full resync only). */
  readonly removed: readonly TenantId[];
}

export class QuotaSource {
  readonly book: QuotaBook;
  readonly #tenants: Collection<Document>;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #interval: number;
  readonly #resyncEvery: number;
  readonly #overlap: number;
  readonly #maxFuture: number;
  /** Content hash of every document last seen, by `_id`. */
  readonly #hashes = new Map<string, string>();
  /** Documents whose last read was stale against the book: re-examined (and forced) at the next resync. */
  readonly #staleKeys = new Set<string>();
  #watermark: number | undefined;
  #polls = 0;
  #lastSuccessAt: number | undefined;
  #consecutiveFailures = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #inFlight: Promise<unknown> | undefined;

  /** `tenants`: the raw, cross-tenant `tenants` collection of the shared database (read-only here). */
  constructor(tenants: Collection<Document>, options: QuotaSourceOptions) {
    this.#tenants = tenants;
    this.book = options.book ?? new QuotaBook();
    this.#now = options.now;
    this.#log = options.log.child({ component: "quota-source" });
    this.#interval = options.pollIntervalMs ?? 500;
    this.#resyncEvery = Math.max(1, options.fullResyncEvery ?? 20);
    this.#overlap = options.overlapMs ?? 2_000;
    this.#maxFuture = options.maxFutureMs ?? 60_000;
  }

  /** Epoch ms of the last successful poll (undefined before the first): lets callers detect stale quotas. */
  get lastSuccessAt(): number | undefined {
    return this.#lastSuccessAt;
  }

  get consecutiveFailures(): number {
    return this.#consecutiveFailures;
  }

  /** One poll: a full resync on the first call and every `fullResyncEvery` calls, otherwise incremental. */
  async poll(): Promise<PollReport> {
    const full = this.#watermark === undefined || this.#polls % this.#resyncEvery === 0;
    this.#polls += 1;
    return full ? this.resync() : this.#run("incremental");
  }

  /** Reads every tenant document now, removing tenants whose document is gone. */
  resync(): Promise<PollReport> {
    return this.#run("full");
  }

  /** Loads every quota once (so the scheduler starts with them), then polls every interval until `stop`. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#guardedPoll();
    this.#schedule();
  }

  /** Stops polling and waits for a poll in flight. Idempotent. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      void this.#guardedPoll().then(() => this.#schedule());
    }, this.#interval);
    this.#timer.unref();
  }

  async #guardedPoll(): Promise<void> {
    const p = this.poll().then(
      () => undefined,
      (err: unknown) => {
        // The book keeps the last quotas read; callers can see `lastSuccessAt` age.
        this.#log.error(
          { err, failures: this.#consecutiveFailures },
          "quota poll failed; keeping last quotas",
        );
      },
    );
    this.#inFlight = p;
    await p;
  }

  async #run(kind: "incremental" | "full"): Promise<PollReport> {
    try {
      const docs = await this.#tenants.find(kind === "full" ? {} : this.#sinceFilter()).toArray();
      const report = this.#ingest(kind, docs);
      this.#lastSuccessAt = this.#now();
      this.#consecutiveFailures = 0;
      return report;
    } catch (err) {
      this.#consecutiveFailures += 1;
      throw err;
    }
  }

  #sinceFilter(): Filter<Document> {
    const since = (this.#watermark ?? 0) - this.#overlap;
    return {
      $or: [
        { updatedAt: { $gt: new Date(since) } },
        { updatedAt: { $gt: since } },
        // ISO strings in UTC ("…Z") compare in time order; other offsets are caught at the resync.
        { updatedAt: { $gt: new Date(Math.max(0, since)).toISOString() } },
      ],
    };
  }

  #ingest(kind: "incremental" | "full", docs: readonly Document[]): PollReport {
    const applied: TenantId[] = [];
    const rejected: RejectedDoc[] = [];
    const stale: TenantId[] = [];
    let unchanged = 0;
    const present = new Set<string>();
    const keysRead = new Set<string>();
    const now = this.#now();

    for (const raw of docs) {
      const key = docKey(raw);
      keysRead.add(key);
      this.#advanceWatermark(raw, now, key);
      const hash = docHash(raw);
      const seenTenant = this.#tenantOf(raw);
      if (seenTenant !== undefined) present.add(seenTenant);
      const force = kind === "full" && this.#staleKeys.has(key);
      if (this.#hashes.get(key) === hash && !force) {
        unchanged += 1;
        continue;
      }
      this.#hashes.set(key, hash);
      this.#staleKeys.delete(key);
      const outcome = this.#apply(raw, force);
      this.#report(outcome, key, { applied, rejected, stale });
      if (outcome.kind === "stale") this.#staleKeys.add(key);
      if (outcome.kind === "applied") present.add(outcome.quota.tenantId);
    }

    const removed = kind === "full" ? this.#removeMissing(present, keysRead) : [];
    if (applied.length + rejected.length + removed.length + stale.length > 0) {
      this.#log.info(
        { kind, read: docs.length, applied, rejected: rejected.map((r) => r.key), removed, stale },
        "quotas reloaded",
      );
    }
    return { kind, read: docs.length, unchanged, applied, rejected, stale, removed };
  }

  #apply(raw: Document, force: boolean): QuotaApplyOutcome {
    const doc = normalizeQuotaDoc(raw);
    const outcome = this.book.apply(doc);
    if (outcome.kind !== "stale" || !force) return outcome;
    // A full read is the current truth: a version that went backwards (document deleted and
    // re-created, or an operator lowering it) applies once it has persisted until a resync.
    this.#log.warn(
      { tenantId: outcome.tenantId, version: outcome.version, previous: outcome.current },
      "quota version went backwards; applying the stored document",
    );
    this.book.remove(outcome.tenantId);
    return this.book.apply(doc);
  }

  #report(
    outcome: QuotaApplyOutcome,
    key: string,
    out: { applied: TenantId[]; rejected: RejectedDoc[]; stale: TenantId[] },
  ): void {
    switch (outcome.kind) {
      case "applied":
        out.applied.push(outcome.quota.tenantId);
        this.#log.info(
          {
            tenantId: outcome.quota.tenantId,
            version: outcome.quota.version,
            previous: outcome.previous?.version,
          },
          "quota applied",
        );
        return;
      case "rejected":
        out.rejected.push({
          key,
          tenantId: outcome.tenantId,
          problems: outcome.problems,
          keptVersion: outcome.kept?.version,
        });
        this.#log.warn(
          {
            tenantId: outcome.tenantId,
            docId: key,
            problems: outcome.problems.map(formatProblem),
            keptVersion: outcome.kept?.version ?? null,
          },
          outcome.kept === undefined
            ? "invalid quota document; tenant has no valid quota and is not schedulable"
            : "invalid quota document; last valid version keeps applying",
        );
        return;
      case "stale":
        out.stale.push(outcome.tenantId);
        this.#log.warn(
          { tenantId: outcome.tenantId, version: outcome.version, current: outcome.current },
          "stale quota document ignored (older version than applied)",
        );
        return;
    }
  }

  /** The tenant a document names (valid or not), so a resync can tell which tenants still have one. */
  #tenantOf(raw: Document): string | undefined {
    const id: unknown = raw["tenantId"] ?? (typeof raw["_id"] === "string" ? raw["_id"] : undefined);
    return typeof id === "string" ? id : undefined;
  }

  #advanceWatermark(raw: Document, now: number, key: string): void {
    const at = updatedAtMs(raw);
    if (at === undefined) return;
    if (at > now + this.#maxFuture) {
      this.#log.warn(
        { docId: key, updatedAt: new Date(at).toISOString() },
        "tenant updatedAt is in the future",
      );
      return;
    }
    if (this.#watermark === undefined || at > this.#watermark) this.#watermark = at;
  }

  #removeMissing(present: ReadonlySet<string>, keysRead: ReadonlySet<string>): TenantId[] {
    for (const key of [...this.#hashes.keys()]) if (!keysRead.has(key)) this.#hashes.delete(key);
    for (const key of [...this.#staleKeys]) if (!keysRead.has(key)) this.#staleKeys.delete(key);
    const known = new Set<TenantId>([
      ...this.book.quotas().keys(),
      ...this.book.rejected().map((r) => r.tenantId),
    ]);
    const removed: TenantId[] = [];
    for (const tenant of known) {
      if (present.has(tenant)) continue;
      this.book.remove(tenant);
      removed.push(tenant);
      this.#log.warn({ tenantId: tenant }, "tenant document deleted; tenant is no longer schedulable");
    }
    return removed;
  }
}
