/**
 * How the fleet's free worker slots are divided between scheduler replicas (pure; ADR 0024).
 *
 * Every replica computes the same free-slot count (live slots − committed + lead, from the shared
 * usage counters and heartbeats) and publishes, in its heartbeat, the weight of its backlogged
 * tenants (active, with backlog, below their cap). A replica's budget is its share of the free slots
 * in proportion to that weight, rounded by systematic sampling with an offset every replica derives
 * from the same clock epoch: the budgets of replicas that see the same inputs sum to exactly `free`
 * (no slot left idle by rounding, none given twice), and over many ticks each replica's expected
 * budget is exactly its proportional share, even when one slot frees at a time. A replica with no
 * backlogged weight gets nothing; with nobody publishing weight, the caller keeps every free slot.
 * Views that differ (a heartbeat one round old) shift at most a slot or two between replicas for a
 * tick; caps never depend on this (the usage counters' conditional increments enforce them).
 */
import { hash32 } from "./assign.ts";

export interface ReplicaWeight {
  readonly id: string;
  /** Σ weight of the replica's backlogged tenants (0: takes no slot). */
  readonly weight: number;
}

/** Period of the shared rounding offset: replicas ticking within the same epoch round alike. */
export const SHARE_EPOCH_MS = 100;

/** The shared rounding offset in [0, 1) for `now`. */
export function shareOffset(now: number, epochMs = SHARE_EPOCH_MS): number {
  return hash32(`slots:${Math.floor(now / epochMs)}`) / 2 ** 32;
}

/**
 * `me`'s slots out of `free`, shared between `replicas` (which include `me`) by weight, with
 * offset `u` in [0, 1) (`shareOffset`). `free` when the total weight is 0 (nobody contends).
 */
export function slotShare(free: number, me: string, replicas: readonly ReplicaWeight[], u: number): number {
  const n = Math.max(0, Math.floor(free));
  if (n === 0) return 0;
  const list = [...replicas]
    .filter((r) => Number.isFinite(r.weight) && r.weight > 0)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const total = list.reduce((s, r) => s + r.weight, 0);
  if (total <= 0) return n;
  let cum = 0;
  for (const r of list) {
    const start = (cum / total) * n;
    cum += r.weight;
    const end = (cum / total) * n;
    if (r.id === me) return Math.max(0, Math.ceil(end - u) - Math.ceil(start - u));
  }
  return 0;
}

/**
 * The weight a replica publishes: Σ weight of its tenants that could take a slot now (active, with
 * backlog, below their cap). A tenant at its cap or paused would not use a slot, so it claims none.
 */
export function backloggedWeight(
  tenants: Iterable<{
    readonly quota:
      { readonly status: string; readonly weight: number; readonly maxConcurrency: number } | undefined;
    readonly backlog: { readonly high: number; readonly normal: number; readonly low: number };
    readonly running: number;
  }>,
): number {
  let sum = 0;
  for (const t of tenants) {
    const backlog = t.backlog.high + t.backlog.normal + t.backlog.low;
    const q = t.quota;
    if (q !== undefined && q.status === "active" && backlog > 0 && t.running < q.maxConcurrency)
      sum += q.weight;
  }
  return sum;
}
