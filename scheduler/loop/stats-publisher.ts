/**
 * Publishes the scheduler's per-tenant release and throttle counts over the last summary interval to
 * `scheduler_stats` (see `store/tenant-stats.ts`), from the cumulative counters of `SchedulerMetrics`.
 */
import type { Logger } from "pino";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { emptyThrottleCounts } from "../store/tenant-stats.ts";
import type { TenantStatsDoc, ThrottleCounts } from "../store/tenant-stats.ts";
import type { TenantCounters, ThrottleReason } from "./metrics.ts";

const KEY_OF: Record<ThrottleReason, keyof ThrottleCounts> = {
  cap: "cap",
  rate: "rate",
  daily: "daily",
  paused: "paused",
  "no-quota": "noQuota",
};

/** Cumulative counts of one tenant as last published. */
export interface StatsBase {
  readonly released: number;
  readonly throttled: ThrottleCounts;
}

/**
 * The documents for one interval (pure): per tenant in `tenants` (and any with counters), the deltas of
 * the cumulative counters since `base`, which is updated in place. A counter lower than its base
 * (metrics reset) counts from zero. `windowMs` = `now − since` (at least 1 ms).
 */
export function statsDeltas(
  schedulerId: string,
  counters: Readonly<Record<string, Pick<TenantCounters, "released" | "throttled">>>,
  tenants: Iterable<TenantId>,
  base: Map<string, StatsBase>,
  since: number,
  now: number,
): TenantStatsDoc[] {
  const windowMs = Math.max(1, now - since);
  const ids = new Set<string>([...tenants, ...Object.keys(counters)]);
  const docs: TenantStatsDoc[] = [];
  for (const tenantId of [...ids].sort()) {
    const c = counters[tenantId];
    const cur: StatsBase = { released: c?.released ?? 0, throttled: emptyThrottleCounts() };
    if (c !== undefined)
      for (const [reason, n] of Object.entries(c.throttled))
        cur.throttled[KEY_OF[reason as ThrottleReason]] += n;
    const prev = base.get(tenantId);
    base.set(tenantId, cur);
    const delta = (value: number, before: number | undefined) =>
      before === undefined || value < before ? value : value - before;
    const released = delta(cur.released, prev?.released);
    const throttled = emptyThrottleCounts();
    for (const k of Object.keys(throttled) as (keyof ThrottleCounts)[])
      throttled[k] = delta(cur.throttled[k], prev?.throttled[k]);
    docs.push({
      schedulerId,
      tenantId,
      at: new Date(now),
      windowMs,
      released,
      releasedPerSec: Math.round((released / windowMs) * 1000 * 1000) / 1000,
      throttled,
    });
  }
  return docs;
}

export interface StatsPublisherDeps {
  readonly schedulerId: string;
  readonly store: { write(docs: readonly TenantStatsDoc[]): Promise<void> };
  readonly now: () => number;
  readonly log: Logger;
}

/** Keeps the base between intervals; the first window starts at construction. */
export class StatsPublisher {
  readonly #deps: StatsPublisherDeps;
  readonly #base = new Map<string, StatsBase>();
  #since: number;

  constructor(deps: StatsPublisherDeps) {
    this.#deps = deps;
    this.#since = deps.now();
  }

  /** Writes this interval's documents; a failed write is logged (the next interval covers both). */
  async publish(
    counters: Readonly<Record<string, Pick<TenantCounters, "released" | "throttled">>>,
    tenants: Iterable<TenantId>,
    now: number,
  ): Promise<void> {
    const prevBase = new Map(this.#base);
    const docs = statsDeltas(this.#deps.schedulerId, counters, tenants, this.#base, this.#since, now);
    try {
      await this.#deps.store.write(docs);
      this.#since = now;
    } catch (err) {
      // Keep the old base and window start, so the next write covers the missed interval too.
      this.#base.clear();
      for (const [k, v] of prevBase) this.#base.set(k, v);
      this.#deps.log.warn({ err }, "could not write scheduler stats; retrying next interval");
    }
  }
}
