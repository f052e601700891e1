import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { FleetView, WorkQueueDepth } from "../store/capacity.ts";
import type { UsageSnapshot } from "../../shared/usage/usage-store.ts";
import { committedSlots, freeSlots, releaseLead } from "./free-slots.ts";

export interface CapacityReadDeps {
  readonly sqs: Pick<SqsPort, "approximateDepth">;
  readonly workQueueUrl: string;
  readonly usage: { readAll(): Promise<Map<TenantId, UsageSnapshot>> };
  readonly capacity: { view(now: number): Promise<FleetView> };
}

export interface CapacityReadOptions {
  /** Releases stop while the work queue holds this many visible messages (delayed ones do not count). */
  readonly maxWorkQueueDepth: number;
  /** Released work allowed to wait on the work queue; undefined: `releaseLead` of the live slots and prefetch. */
  readonly releaseLead: number | undefined;
  /** Least time between reads of the workers' heartbeats (slots change when workers come and go). */
  readonly fleetRefreshMs: number;
  /** Least time between reads of the work queue's depth (a guard; releases since are added to it). */
  readonly workDepthRefreshMs: number;
  /**
   * Least time between reads of a tick with no tenant to decide for (`read(now, { idle: true })`):
   * the last read is reused, so an idle scheduler reads the counters once a second, not every tick.
   * Default 1000 ms.
   */
  readonly idleRefreshMs?: number;
}

export interface CapacityRead {
  readonly usage: Map<TenantId, UsageSnapshot>;
  readonly liveSlots: number;
  /** Worker slots in use or claimed by released work: Σ running − parked (`committedSlots`). */
  readonly committed: number;
  readonly lead: number;
  readonly workQueue: WorkQueueDepth;
  /** Releases `decide()` may make now: live slots − committed + lead, within the depth guard. */
  readonly free: number;
}

/**
 * The capacity half of a tick's reads. The running counters are read every tick (they are what frees
 * slots); the heartbeats and the work queue's depth change slowly or only guard, so they are cached
 * for `fleetRefreshMs` / `workDepthRefreshMs`, the cached depth raised by every release since the read
 * (an overestimate: workers drain it meanwhile).
 */
export class CapacityReader {
  readonly #deps: CapacityReadDeps;
  readonly #opts: CapacityReadOptions;
  #fleet: { at: number; liveSlots: number; prefetch: number } | undefined;
  #work: { at: number; depth: WorkQueueDepth; releasedSince: number } | undefined;
  #last: { at: number; read: CapacityRead } | undefined;

  constructor(deps: CapacityReadDeps, options: CapacityReadOptions) {
    this.#deps = deps;
    this.#opts = options;
  }

  /**
   * The counters, live slots and free slots now; with `idle` (no tenant has backlog, so nothing will
   * be decided), the last read if it is younger than `idleRefreshMs`.
   */
  async read(now: number, options: { idle?: boolean } = {}): Promise<CapacityRead> {
    const last = this.#last;
    if (
      options.idle === true &&
      last !== undefined &&
      now >= last.at &&
      now - last.at < (this.#opts.idleRefreshMs ?? 1_000)
    )
      return last.read;
    const read = await this.#read(now);
    this.#last = { at: now, read };
    return read;
  }

  async #read(now: number): Promise<CapacityRead> {
    const [usage, { liveSlots, prefetch }, workQueue] = await Promise.all([
      this.#deps.usage.readAll(),
      this.#liveSlots(now),
      this.#workDepth(now),
    ]);
    const committed = committedSlots(usage.values());
    const lead = releaseLead(liveSlots, this.#opts.releaseLead, prefetch);
    const free = freeSlots({
      liveSlots,
      committed,
      workQueue,
      maxQueueDepth: this.#opts.maxWorkQueueDepth,
      lead,
    });
    return { usage, liveSlots, committed, lead, workQueue, free };
  }

  /** Counts releases into the cached work-queue depth until the next read. */
  noteReleased(n: number): void {
    if (this.#work !== undefined) this.#work.releasedSince += n;
  }

  /** Σ slots and Σ prefetch of the live workers (heartbeats cached for `fleetRefreshMs`). */
  async #liveSlots(now: number): Promise<{ liveSlots: number; prefetch: number }> {
    const f = this.#fleet;
    if (f !== undefined && now - f.at < this.#opts.fleetRefreshMs && now >= f.at) return f;
    const view = await this.#deps.capacity.view(now);
    const liveSlots = view.live.reduce((s, w) => s + w.slots, 0);
    const prefetch = view.live.reduce((s, w) => s + Math.min(w.prefetch ?? 0, w.slots), 0);
    this.#fleet = { at: now, liveSlots, prefetch };
    return this.#fleet;
  }

  async #workDepth(now: number): Promise<WorkQueueDepth> {
    const w = this.#work;
    if (w !== undefined && now - w.at < this.#opts.workDepthRefreshMs && now >= w.at)
      return { visible: w.depth.visible + w.releasedSince, delayed: w.depth.delayed ?? 0 };
    const d = await this.#deps.sqs.approximateDepth(this.#deps.workQueueUrl);
    const depth: WorkQueueDepth = { visible: d.visible, delayed: d.delayed ?? 0 };
    this.#work = { at: now, depth, releasedSince: 0 };
    return depth;
  }
}
