/**
 * Per-tenant release statistics published by each scheduler at every summary interval, for
 * `tenants list` (the counters themselves live only in the scheduler process's `SchedulerMetrics`).
 *
 * One document per (schedulerId, tenantId) in `scheduler_stats` (fleet-level, not tenant data),
 * overwritten each interval with the deltas over that interval:
 *
 *   { schedulerId, tenantId, at, windowMs, released, releasedPerSec, throttled: { cap, rate, daily, paused, noQuota } }
 *
 * Readers sum the fresh documents of a tenant over every scheduler; a document older than
 * `STALE_WINDOWS` × its own `windowMs` (a scheduler that stopped) is ignored. A TTL index removes
 * documents a day after their last write.
 */
import type { AnyBulkWriteOperation, Collection, Db } from "mongodb";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";

export const THROTTLE_KEYS = ["cap", "rate", "daily", "paused", "noQuota"] as const;
export type ThrottleKey = (typeof THROTTLE_KEYS)[number];
export type ThrottleCounts = Record<ThrottleKey, number>;

export interface TenantStatsDoc {
  schedulerId: string;
  tenantId: string;
  /** End of the window. */
  at: Date;
  windowMs: number;
  /** Jobs released in the window. */
  released: number;
  releasedPerSec: number;
  /** Ticks in the window in which the tenant had backlog but its own limit or status held it. */
  throttled: ThrottleCounts;
}

/** What `tenants list` shows for one tenant: the fresh documents of every scheduler, summed. */
export interface TenantStatsSum {
  /** Schedulers with a fresh document for the tenant. */
  readonly schedulers: number;
  readonly released: number;
  readonly releasedPerSec: number;
  readonly throttled: ThrottleCounts;
  readonly throttledTotal: number;
  /** The reason with the most throttled ticks (first in `THROTTLE_KEYS` order on a tie); undefined at 0. */
  readonly throttledReason: ThrottleKey | undefined;
}

/** One scheduler as `sluice fleet` shows it (from its `scheduler_stats` documents). */
export interface SchedulerSummary {
  readonly schedulerId: string;
  /** Epoch ms of its newest summary. */
  readonly lastSummaryAt: number;
  readonly windowMs: number;
  readonly tenants: number;
  readonly releasedPerSec: number;
  /** Its newest summary is within `STALE_WINDOWS` windows of now (it is alive). */
  readonly fresh: boolean;
}

/** A document is fresh while `now − at` is at most this many of its windows. */
export const STALE_WINDOWS = 3;
/** Least window used for freshness (a first, short window must not expire at once). */
const MIN_WINDOW_MS = 1_000;
const TTL_SECONDS = 86_400;
export const TENANT_STATS_TTL_SECONDS = TTL_SECONDS;

export const emptyThrottleCounts = (): ThrottleCounts => ({
  cap: 0,
  rate: 0,
  daily: 0,
  paused: 0,
  noQuota: 0,
});

export function isFresh(doc: Pick<TenantStatsDoc, "at" | "windowMs">, now: number): boolean {
  const age = now - doc.at.getTime();
  return age <= STALE_WINDOWS * Math.max(MIN_WINDOW_MS, doc.windowMs);
}

/** Sums the fresh documents per tenant (pure). */
export function sumFresh(docs: readonly TenantStatsDoc[], now: number): Map<string, TenantStatsSum> {
  const acc = new Map<string, { schedulers: number; released: number; perSec: number; t: ThrottleCounts }>();
  for (const d of docs) {
    if (!(d.at instanceof Date) || !isFresh(d, now)) continue;
    let a = acc.get(d.tenantId);
    if (a === undefined)
      acc.set(d.tenantId, (a = { schedulers: 0, released: 0, perSec: 0, t: emptyThrottleCounts() }));
    a.schedulers += 1;
    a.released += num(d.released);
    a.perSec += num(d.releasedPerSec);
    for (const k of THROTTLE_KEYS) a.t[k] += num(d.throttled?.[k]);
  }
  const out = new Map<string, TenantStatsSum>();
  for (const [tenant, a] of acc) {
    let reason: ThrottleKey | undefined;
    for (const k of THROTTLE_KEYS)
      if (a.t[k] > 0 && (reason === undefined || a.t[k] > a.t[reason])) reason = k;
    out.set(tenant, {
      schedulers: a.schedulers,
      released: a.released,
      releasedPerSec: a.perSec,
      throttled: a.t,
      throttledTotal: THROTTLE_KEYS.reduce((s, k) => s + a.t[k], 0),
      throttledReason: reason,
    });
  }
  return out;
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

export class TenantStatsStore {
  readonly #stats: Collection<TenantStatsDoc>;

  /** `db`: the shared database. */
  constructor(db: Db) {
    this.#stats = db.collection<TenantStatsDoc>(COLLECTIONS.schedulerStats);
  }

  /** Upserts one document per (schedulerId, tenantId), in one unordered bulk write. */
  async write(docs: readonly TenantStatsDoc[]): Promise<void> {
    if (docs.length === 0) return;
    const ops: AnyBulkWriteOperation<TenantStatsDoc>[] = docs.map((d) => ({
      replaceOne: {
        filter: { schedulerId: d.schedulerId, tenantId: d.tenantId },
        replacement: d,
        upsert: true,
      },
    }));
    await this.#stats.bulkWrite(ops, { ordered: false });
  }

  /**
   * The schedulers that published within the documents' lifetime (`sluice fleet`): per scheduler id,
   * its last summary time, window, tenants summarised and released/s summed over them, newest first.
   */
  async schedulers(now: number): Promise<SchedulerSummary[]> {
    const since = new Date(now - TTL_SECONDS * 1000);
    const docs = await this.#stats
      .find(
        { at: { $gte: since } },
        { projection: { _id: 0, schedulerId: 1, at: 1, windowMs: 1, releasedPerSec: 1 } },
      )
      .toArray();
    const by = new Map<string, SchedulerSummary>();
    for (const d of docs) {
      if (typeof d.schedulerId !== "string" || !(d.at instanceof Date)) continue;
      const prev = by.get(d.schedulerId);
      const at = Math.max(prev?.lastSummaryAt ?? 0, d.at.getTime());
      by.set(d.schedulerId, {
        schedulerId: d.schedulerId,
        lastSummaryAt: at,
        windowMs: num(d.windowMs),
        tenants: (prev?.tenants ?? 0) + 1,
        releasedPerSec: (prev?.releasedPerSec ?? 0) + num(d.releasedPerSec),
        fresh: isFresh({ at: new Date(at), windowMs: num(d.windowMs) }, now),
      });
    }
    return [...by.values()].sort((a, b) => b.lastSummaryAt - a.lastSummaryAt);
  }

  /** Fresh documents summed per tenant. */
  async readRecent(now: number): Promise<Map<string, TenantStatsSum>> {
    const since = new Date(now - TTL_SECONDS * 1000);
    const docs = await this.#stats.find({ at: { $gte: since } }, { projection: { _id: 0 } }).toArray();
    return sumFresh(docs, now);
  }
}
