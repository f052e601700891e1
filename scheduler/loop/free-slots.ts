import type { WorkQueueDepth } from "../store/capacity.ts";

export interface FreeSlotsInput {
  /** Σ slots of the workers heard from recently (FleetCapacity heartbeats). */
  readonly liveSlots: number;
  /**
   * Worker slots the released jobs use or are about to use: Σ over tenants of the running counter
   * (released and not yet terminal) less its parked jobs (resting on a Wait, needs_review), which hold
   * their tenant's slot but no worker's (`committedSlots`).
   */
  readonly committed: number;
  /**
   * The work queue's depth. Only `visible` counts (released or woken work no worker has claimed
   * yet); `delayed` messages are sleeping wake-ups, which must not hold the fleet's releases back.
   */
  readonly workQueue: WorkQueueDepth;
  /** Releases stop while the work queue holds this many visible messages or more. */
  readonly maxQueueDepth: number;
  /**
   * Released work allowed to wait on the work queue beyond the free slots (see `releaseLead`), so a
   * slot that frees finds work at once instead of waiting for the next tick; default 0.
   */
  readonly lead?: number;
}

/**
 * How many jobs the scheduler may release now.
 *
 * Slots come from the heartbeats' `slots`, but what is in use comes from the usage counters, not the
 * heartbeats' `busy`: the counters are incremented at release and decremented right after a job's
 * terminal write, so they are fresh where `busy` is one heartbeat old (a stale `busy` after completions
 * would leave slots idle, against work conservation). A job resting on a Wait keeps its tenant's slot
 * (ADR 0007) but needs no worker until it wakes, so parked jobs are left out of `committed`; the parked
 * counts are as of the last reconcile, and work they no longer show (a job woken since) waits on the
 * work queue as a visible message, bounded by the depth guard: releases stop while `maxQueueDepth`
 * messages are visible. Delayed messages (wake-ups not yet due) are not counted: one tenant's sleeping
 * jobs must not stop every tenant's releases.
 *
 * The `lead` lets up to that many released jobs wait on the work queue while every slot is busy. It
 * never touches caps (`UsageStore.tryAcquire` counts waiting jobs against their tenant's cap) and needs
 * live workers: with no slot reported, nothing is released.
 */
export function freeSlots(input: FreeSlotsInput): number {
  const live = Math.floor(input.liveSlots);
  if (live <= 0) return 0;
  const waiting = Math.max(0, input.workQueue.visible);
  const lead = Math.max(0, Math.floor(input.lead ?? 0));
  const bySlots = live + lead - Math.max(0, Math.floor(input.committed));
  const byDepth = Math.floor(input.maxQueueDepth) - waiting;
  return Math.max(0, Math.min(bySlots, byDepth));
}

/** `committed` for `freeSlots`: Σ over tenants of running − parked (never negative per tenant). */
export function committedSlots(
  usage: Iterable<{ readonly running: number; readonly parked?: number }>,
): number {
  let sum = 0;
  for (const u of usage) sum += Math.max(0, Math.floor(u.running) - Math.max(0, Math.floor(u.parked ?? 0)));
  return sum;
}

/**
 * The release lead for `liveSlots` live worker slots: `configured` when set (0 disables it), else
 * the workers' prefetch (`prefetch`: Σ of what the live workers hold ahead of their free slots, from
 * their heartbeats) plus a quarter of the slots rounded up, at least 1 (0 when no worker reports
 * slots).
 *
 * Why both: the quarter is what a slot that frees should find waiting on the queue, for any worker.
 * Workers that prefetch take released work off the queue into buffers of their own, where only their
 * own slots can start it. A lead no bigger than their prefetch (which it was: a quarter of the slots,
 * the workers' default prefetch too) ends up in those buffers, and a slot freeing on a worker whose
 * buffer is empty finds nothing until the scheduler's next release; in `bench fairness` that was half
 * of the idle slot-time (ADR 0002, "The lead and the workers' prefetch").
 */
export function releaseLead(liveSlots: number, configured?: number, prefetch = 0): number {
  if (liveSlots <= 0) return 0;
  if (configured !== undefined) return Math.max(0, Math.floor(configured));
  const held = Number.isFinite(prefetch) ? Math.max(0, Math.floor(prefetch)) : 0;
  return held + Math.max(1, Math.ceil(liveSlots / 4));
}
