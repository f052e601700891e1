import type { WorkQueueDepth } from "../store/capacity.ts";

export interface FreeSlotsInput {
  /** Σ slots of the workers heard from recently (FleetCapacity heartbeats). */
  readonly liveSlots: number;
  /** Σ running counters over all tenants (UsageStore): released and not yet at a resting point. */
  readonly committed: number;
  /** The work queue's depth (visible + delayed): released or woken work no worker has claimed yet. */
  readonly workQueue: WorkQueueDepth;
  /** Releases stop while the work queue holds this many messages or more. */
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
 * resting write, so they are fresh where `busy` is one heartbeat old (a stale `busy` after completions
 * would leave slots idle, against work conservation). Work the counters do not see (a job woken from a
 * Wait re-enters without a new acquisition) is bounded by the work-queue depth guard: such work waits on
 * the work queue, and releases stop while the queue is `maxQueueDepth` deep.
 *
 * The `lead` lets up to that many released jobs wait on the work queue while every slot is busy. It
 * never touches caps (`UsageStore.tryAcquire` counts waiting jobs against their tenant's cap) and needs
 * live workers: with no slot reported, nothing is released.
 */
export function freeSlots(input: FreeSlotsInput): number {
  const live = Math.floor(input.liveSlots);
  if (live <= 0) return 0;
  const waiting = Math.max(0, input.workQueue.visible) + Math.max(0, input.workQueue.delayed ?? 0);
  const lead = Math.max(0, Math.floor(input.lead ?? 0));
  const bySlots = live + lead - Math.max(0, Math.floor(input.committed));
  const byDepth = Math.floor(input.maxQueueDepth) - waiting;
  return Math.max(0, Math.min(bySlots, byDepth));
}

/**
 * The release lead for `liveSlots` live worker slots: `configured` when set (0 disables it), else a
 * quarter of the slots rounded up, at least 1 (0 when no worker reports slots).
 */
export function releaseLead(liveSlots: number, configured?: number): number {
  if (liveSlots <= 0) return 0;
  if (configured !== undefined) return Math.max(0, Math.floor(configured));
  return Math.max(1, Math.ceil(liveSlots / 4));
}
