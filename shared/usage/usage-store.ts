/**
 * Running-count accounting that holds under concurrency (invariant 4): one usage document per tenant
 * in the `usage` collection, changed only by single-document atomic updates, so any number of
 * scheduler replicas can share it without transactions.
 *
 *   { tenantId, running, version, daily: { "2026-03-01": 812 }, acq: { "<window>": 3 },
 *     parked, parkedAt, lastAcquireAt, lastReleaseAt, reconciledAt, updatedAt }
 *
 * `running` counts the tenant's jobs in flight: released and not yet terminal (ADR 0007; see
 * `inFlightFilter`), including jobs resting on a Wait or parked for review. `parked` is how many of
 * those held no worker at the last reconcile (`parkedFilter`): the fleet's free worker slots leave
 * them out (`freeSlots`), the cap does not.
 *
 * - `tryAcquire(tenant, cap)`: `findOneAndUpdate({ tenantId, running: { $lt: cap }, daily.<today>
 *   below the daily quota }, { $inc: { running: 1, daily.<today>: 1, version: 1 } })`. The guard and the
 *   increment are one write, so two replicas can never both take the last slot. The first acquisition
 *   of a tenant creates its document (insert; a concurrent insert loses on the unique `tenantId` index
 *   and retries the increment).
 * - `release(tenant)`: `$inc: { running: -1 }` guarded by `running > 0`; call it after the job's
 *   terminal write (see `inFlightFilter` for what counts as in flight).
 * - `reconcile(tenant)`: recounts the tenant's in-flight jobs and corrects the counter with a
 *   compare-and-set on `version` (every acquire and release bumps it), so a correction computed from
 *   a read that a concurrent acquire or release has overtaken is discarded, not written. Counter
 *   changes still on their way (an acquisition whose job is not yet created, a release not yet applied
 *   for a job that just finished) are bounded by the acquisitions of the last `settleMs` and the jobs
 *   finished in the last `settleMs`; the counter is moved only when outside that band
 *   (reconcileDecision). Assumes the job is created, and `release` called, within `settleMs`
 *   (default 10 s) of the acquisition / terminal write. It also records `parked`.
 */
import type { Db, UpdateFilter } from "mongodb";
import type { Logger } from "pino";
import { COLLECTIONS } from "../mongo/collections.ts";
import type { JobDoc } from "../jobs/job-doc.ts";
import { casRetry, type CasRound } from "../jobs/cas-retry.ts";
import { isDuplicateKeyError } from "../mongo/errors.ts";
import { tenantCollection } from "../tenancy/scoped-collection.ts";
import type { ScopedCollection } from "../tenancy/scoped-collection.ts";
import type { TenantDataRouter } from "../tenancy/tenant-router.ts";
import { TenantIdSchema } from "../tenancy/tenant-id.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import {
  acquireWindow,
  expiredKeys,
  inFlightFilter,
  parkedFilter,
  recentAcquires,
  recentlyFinishedFilter,
  reconcileDecision,
  utcDay,
} from "./usage-math.ts";

export interface UsageDoc {
  tenantId: string;
  running: number;
  version: number;
  /** Acquisitions per UTC day (`YYYY-MM-DD`), the daily job quota's counter. */
  daily?: Record<string, number>;
  /** Acquisitions per `settleMs` window: bounds acquisitions whose job may not exist yet. */
  acq?: Record<string, number>;
  /** In-flight jobs holding no worker (resting on a Wait, needs_review) at the last reconcile. */
  parked?: number;
  parkedAt?: number;
  lastAcquireAt?: number;
  lastReleaseAt?: number;
  reconciledAt?: number;
  updatedAt: number;
}

export interface UsageSnapshot {
  readonly tenantId: TenantId;
  readonly running: number;
  /** Acquisitions so far in the current UTC day. */
  readonly releasedToday: number;
  /** Of `running`, jobs that hold no worker (resting on a Wait, needs_review), as of the last reconcile. */
  readonly parked: number;
  readonly version: number;
}

export type AcquireResult =
  | { readonly ok: true; readonly running: number; readonly releasedToday: number }
  | {
      readonly ok: false;
      readonly reason: "cap" | "daily";
      readonly running: number;
      readonly releasedToday: number;
    };

export type ReconcileResult =
  | {
      readonly kind: "in-sync";
      readonly running: number;
      readonly inFlight: number;
      readonly pending: number;
      readonly parked: number;
    }
  | {
      readonly kind: "corrected";
      readonly from: number;
      readonly to: number;
      readonly why: "leaked" | "undercounted";
      readonly inFlight: number;
      readonly pending: number;
      readonly parked: number;
    }
  /** The counter changed between the read and the write; nothing written. Try again next period. */
  | { readonly kind: "raced"; readonly running: number; readonly inFlight: number };

export interface UsageStoreOptions {
  readonly now: () => number;
  readonly log: Logger;
  /** Max time from acquisition to job creation, and from a terminal write to `release`; default 10 s. */
  readonly settleMs?: number;
  /** Daily counters kept (for operators) before reconcile prunes them; default 7 days. */
  readonly keepDays?: number;
}

export class UsageStore {
  readonly #router: TenantDataRouter;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #settleMs: number;
  readonly #keepDays: number;

  /**
   * `router`: where each tenant's data lives. A tenant's usage document sits beside its jobs (the
   * shared database for the shared tier, the tenant's own database for the dedicated tier).
   */
  constructor(router: TenantDataRouter, options: UsageStoreOptions) {
    this.#router = router;
    this.#now = options.now;
    this.#log = options.log.child({ component: "usage" });
    this.#settleMs = options.settleMs ?? 10_000;
    this.#keepDays = options.keepDays ?? 7;
  }

  #usage(tenant: TenantId): ScopedCollection<UsageDoc> {
    return tenantCollection<UsageDoc>(this.#router, tenant, COLLECTIONS.usage);
  }

  #jobs(tenant: TenantId): ScopedCollection<JobDoc> {
    return tenantCollection<JobDoc>(this.#router, tenant, COLLECTIONS.jobs);
  }

  /**
   * Takes one running slot if the tenant has fewer than `cap` (and, with `dailyQuota`, fewer than that
   * many acquisitions today). Atomic: concurrent callers, in any number of processes, never exceed it.
   */
  async tryAcquire(
    tenant: TenantId,
    cap: number,
    limits: { dailyQuota?: number } = {},
  ): Promise<AcquireResult> {
    const usage = this.#usage(tenant);
    const now = this.#now();
    const day = `daily.${utcDay(now)}`;
    const filter: Record<string, unknown> = { running: { $lt: cap } };
    // `$not: { $gte }` also matches a day with no counter yet.
    if (limits.dailyQuota !== undefined) filter[day] = { $not: { $gte: limits.dailyQuota } };
    const update = {
      $inc: { running: 1, version: 1, [day]: 1, [`acq.${acquireWindow(now, this.#settleMs)}`]: 1 },
      $set: { lastAcquireAt: now, updatedAt: now },
    };
    const decided = await casRetry<AcquireResult>(async (): Promise<CasRound<AcquireResult>> => {
      const after = await usage.findOneAndUpdate(filter, update, { returnDocument: "after" });
      if (after !== null)
        return { done: { ok: true, running: after.running, releasedToday: dailyOf(after, now) } };
      const current = await usage.findOne({});
      if (current === null) {
        await this.#create(usage, now);
        return "lost";
      }
      const releasedToday = dailyOf(current, now);
      if (current.running >= cap)
        return { done: { ok: false, reason: "cap", running: current.running, releasedToday } };
      if (limits.dailyQuota !== undefined && releasedToday >= limits.dailyQuota)
        return { done: { ok: false, reason: "daily", running: current.running, releasedToday } };
      return "lost"; // A release landed between the two reads: try the increment again.
    });
    if (decided !== undefined) return decided;
    const last = await usage.findOne({});
    return {
      ok: false,
      reason: "cap",
      running: last?.running ?? 0,
      releasedToday: last ? dailyOf(last, now) : 0,
    };
  }

  /**
   * Gives back one running slot: the job became terminal (or the release was abandoned before
   * the job was created; then pass `refundDaily` to give back today's daily count too). Returns false
   * when the counter was already 0 (a duplicate release; logged).
   */
  async release(tenant: TenantId, options: { refundDaily?: boolean } = {}): Promise<boolean> {
    const now = this.#now();
    const day = `daily.${utcDay(now)}`;
    const filter: Record<string, unknown> = { running: { $gt: 0 } };
    const inc: Record<string, number> = { running: -1, version: 1 };
    if (options.refundDaily) {
      filter[day] = { $gt: 0 };
      inc[day] = -1;
    }
    const update = (extraFilter: Record<string, unknown>, extraInc: Record<string, number>) =>
      this.#usage(tenant).updateOne(
        { ...filter, ...extraFilter },
        { $inc: { ...inc, ...extraInc }, $set: { lastReleaseAt: now, updatedAt: now } },
      );
    // A refunded acquisition also leaves the window of recent acquisitions, which `reconcile` counts as
    // jobs still on their way: left there, it would raise an undercounted counter above the truth. It
    // was taken in this window or the previous one (a refund follows its acquisition within settleMs).
    let matched = 0;
    if (options.refundDaily) {
      const w = acquireWindow(now, this.#settleMs);
      for (const window of [w, w - 1]) {
        const key = `acq.${window}`;
        matched = (await update({ [key]: { $gt: 0 } }, { [key]: -1 })).matchedCount;
        if (matched > 0) break;
      }
    }
    if (matched === 0) matched = (await update({}, {})).matchedCount;
    if (matched === 0) {
      this.#log.warn({ tenantId: tenant }, "release with no running slot recorded (duplicate release?)");
      return false;
    }
    return true;
  }

  /** The tenant's counters now (zeros when it has never acquired). */
  async get(tenant: TenantId): Promise<UsageSnapshot> {
    const doc = await this.#usage(tenant).findOne({});
    return toSnapshot(tenant, doc, this.#now());
  }

  /**
   * Every tenant's counters in one query, for the scheduler's decision snapshot and operators' views.
   * OPERATOR-LEVEL READ: the one cross-tenant read of `usage` (read-only; counters, no tenant data).
   */
  async readAll(): Promise<Map<TenantId, UsageSnapshot>> {
    const now = this.#now();
    const out = new Map<TenantId, UsageSnapshot>();
    const databases = await this.#router.databases();
    const dedicated = new Set(databases.flatMap((d) => d.tenants));
    for (const { db, tier, tenants } of databases) {
      if (tier === "shared") {
        // A dedicated tenant's leftover document in the shared database (before a move cleaned it up) is not its counter.
        for (const doc of await sharedUsage(db).find({}).toArray()) {
          const id = TenantIdSchema.safeParse(doc.tenantId);
          if (id.success && !dedicated.has(id.data)) out.set(id.data, toSnapshot(id.data, doc, now));
        }
        continue;
      }
      const docs = await Promise.all(tenants.map((t) => this.#usage(t).findOne({})));
      tenants.forEach((t, i) => out.set(t, toSnapshot(t, docs[i] ?? null, now)));
    }
    return out;
  }

  /** Jobs of the tenant that count against its cap now (see `inFlightFilter`). */
  async countInFlight(tenant: TenantId): Promise<number> {
    return this.#jobs(tenant).countDocuments(inFlightFilter());
  }

  /**
   * Recounts the tenant's in-flight jobs and corrects the counter if it is outside the band the
   * pending changes allow, as a compare-and-set on `version`. Also prunes old daily/window counters
   * and records how many in-flight jobs are parked (no CAS: an observation, not a counter).
   */
  async reconcile(tenant: TenantId): Promise<ReconcileResult> {
    const usage = this.#usage(tenant);
    const now = this.#now();
    // Read the version first: any acquire or release after this read makes the write below miss.
    const before = await usage.findOne({});
    const jobs = this.#jobs(tenant);
    const inFlight = await jobs.countDocuments(inFlightFilter());
    if (before === null && inFlight === 0)
      return { kind: "in-sync", running: 0, inFlight, pending: 0, parked: 0 };
    if (before === null) {
      await this.#create(usage, now);
      return { kind: "raced", running: 0, inFlight }; // corrected at the next period, with a version to CAS on
    }
    const finished = await jobs.countDocuments(recentlyFinishedFilter(now, this.#settleMs));
    const parked = await jobs.countDocuments(parkedFilter(now));
    if (before.parked !== parked) await usage.updateOne({}, { $set: { parked, parkedAt: now } }); // no version bump: not a counter
    const pending = finished + recentAcquires(before.acq, now, this.#settleMs);
    const decision = reconcileDecision({ running: before.running, inFlight, pending });
    const prune = expiredKeys(before, now, this.#settleMs, this.#keepDays);
    if (decision.kind === "in-sync" && prune.length === 0)
      return { kind: "in-sync", running: before.running, inFlight, pending, parked };

    const set: Record<string, unknown> = { reconciledAt: now, updatedAt: now };
    if (decision.kind === "set") set["running"] = decision.to;
    const update: UpdateFilter<UsageDoc> = { $set: set, $inc: { version: 1 } };
    if (prune.length > 0) update.$unset = Object.fromEntries(prune.map((k) => [k, ""]));
    const res = await usage.updateOne({ version: before.version }, update);
    if (res.matchedCount === 0) return { kind: "raced", running: before.running, inFlight };
    if (decision.kind === "in-sync")
      return { kind: "in-sync", running: before.running, inFlight, pending, parked };
    this.#log.warn(
      { tenantId: tenant, from: before.running, to: decision.to, why: decision.why, inFlight, pending },
      "running count reconciled from jobs",
    );
    return {
      kind: "corrected",
      from: before.running,
      to: decision.to,
      why: decision.why,
      inFlight,
      pending,
      parked,
    };
  }

  /** Reconciles each tenant in turn; a failure is logged and does not stop the others. */
  async reconcileAll(tenants: Iterable<TenantId>): Promise<Map<TenantId, ReconcileResult>> {
    const out = new Map<TenantId, ReconcileResult>();
    for (const tenant of tenants) {
      try {
        out.set(tenant, await this.reconcile(tenant));
      } catch (err) {
        this.#log.error({ err, tenantId: tenant }, "reconcile failed");
      }
    }
    return out;
  }

  async #create(usage: ScopedCollection<UsageDoc>, now: number): Promise<void> {
    try {
      await usage.insertOne({ running: 0, version: 0, daily: {}, acq: {}, updatedAt: now });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // another replica created it first
    }
  }
}

function dailyOf(doc: Pick<UsageDoc, "daily">, now: number): number {
  return doc.daily?.[utcDay(now)] ?? 0;
}

function toSnapshot(tenantId: TenantId, doc: UsageDoc | null, now: number): UsageSnapshot {
  if (doc === null) return { tenantId, running: 0, releasedToday: 0, parked: 0, version: 0 };
  return {
    tenantId,
    running: doc.running,
    releasedToday: dailyOf(doc, now),
    parked: Math.max(0, doc.parked ?? 0),
    version: doc.version,
  };
}

/** OPERATOR-LEVEL READ: the shared database's `usage` collection, every shared-tier tenant's counters. */
function sharedUsage(db: Db) {
  return db.collection<UsageDoc>(COLLECTIONS.usage);
}
