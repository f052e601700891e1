/**
 * Fleet capacity: how many jobs the scheduler may release now without piling work up in front of
 * busy workers.
 *
 * Workers report a heartbeat document per process in the `workers` collection (fleet-level, not
 * tenant data): `{ workerId, slots, busy, at }` where `at` is epoch ms (a BSON date is accepted too).
 * `freeSlots(now)` sums `slots - busy` over workers heard from in the last `staleAfterMs`; a worker
 * that stopped reporting stops counting. `releasable` then subtracts what is already waiting on the
 * work queue (released, not yet claimed, so not in any worker's `busy`) and caps the queue's depth.
 */
import type { Collection, Db } from "mongodb";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import {
  WorkerHeartbeats,
  WorkerHeartbeatSchema,
  type WorkerDoc,
  type WorkerHeartbeat,
} from "../../shared/fleet/worker-heartbeats.ts";

export { WorkerHeartbeatSchema, type WorkerHeartbeat };
export type { WorkerHeartbeatInput } from "../../shared/fleet/worker-heartbeats.ts";

/**
 * Free slots of the live workers: Σ max(0, slots − busy) over healthy heartbeats at or after
 * `now − staleAfterMs`. An unhealthy worker (it cannot receive or cannot reach MongoDB) has no free
 * slot, whatever its `busy` says.
 */
export function sumFreeSlots(workers: readonly WorkerHeartbeat[], now: number, staleAfterMs: number): number {
  let free = 0;
  for (const w of workers) {
    if (w.at >= now - staleAfterMs && w.healthy !== false) free += Math.max(0, w.slots - w.busy);
  }
  return free;
}

export interface WorkQueueDepth {
  /** Messages waiting to be received (ApproximateNumberOfMessages). */
  readonly visible: number;
  /** Messages sent with a delay, not yet visible. */
  readonly delayed?: number;
}

export interface ReleasableInput {
  readonly freeSlots: number;
  readonly workQueue: WorkQueueDepth;
  /** Releases stop while the work queue holds this many messages or more. */
  readonly maxQueueDepth: number;
}

/**
 * The work-queue-depth guard: how many jobs to release now. Messages already on the work queue will
 * take free slots when claimed, so they are subtracted; and the queue never grows past
 * `maxQueueDepth` (a deep queue means workers are not keeping up, or are gone).
 */
export function releasable(input: ReleasableInput): number {
  const waiting = Math.max(0, input.workQueue.visible) + Math.max(0, input.workQueue.delayed ?? 0);
  const bySlots = Math.floor(input.freeSlots) - waiting;
  const byDepth = Math.floor(input.maxQueueDepth) - waiting;
  return Math.max(0, Math.min(bySlots, byDepth));
}

export interface FleetCapacityOptions {
  /** A worker not heard from for this long is ignored; default 15 s (three missed 5 s heartbeats). */
  readonly staleAfterMs?: number;
}

export interface FleetView {
  readonly live: readonly WorkerHeartbeat[];
  /** Heartbeats older than `staleAfterMs`. */
  readonly stale: number;
  /** Documents that fail the heartbeat schema (ignored). */
  readonly invalid: number;
  readonly freeSlots: number;
}

/** The scheduler's read side of the worker heartbeats (the write side is the workers' contract). */
export class FleetCapacity extends WorkerHeartbeats {
  readonly #workers: Collection<WorkerDoc>;
  readonly #staleAfterMs: number;

  constructor(db: Db, options: FleetCapacityOptions = {}) {
    super(db);
    this.#workers = db.collection<WorkerDoc>(COLLECTIONS.workers);
    this.#staleAfterMs = options.staleAfterMs ?? 15_000;
  }

  get staleAfterMs(): number {
    return this.#staleAfterMs;
  }

  /** Every worker's latest heartbeat, split into live and stale. */
  async view(now: number): Promise<FleetView> {
    const live: WorkerHeartbeat[] = [];
    let stale = 0;
    let invalid = 0;
    for (const doc of await this.#workers.find({}).toArray()) {
      const parsed = WorkerHeartbeatSchema.safeParse(doc);
      if (!parsed.success) invalid += 1;
      else if (parsed.data.at >= now - this.#staleAfterMs) live.push(parsed.data);
      else stale += 1;
    }
    return { live, stale, invalid, freeSlots: sumFreeSlots(live, now, this.#staleAfterMs) };
  }

  /** Free slots of the workers heard from in the last `staleAfterMs`. */
  async freeSlots(now: number): Promise<number> {
    const since = now - this.#staleAfterMs;
    const docs = await this.#workers
      .find({ $or: [{ at: { $gte: since } }, { at: { $gte: new Date(since) } }] })
      .toArray();
    const live = docs.flatMap((d) => {
      const parsed = WorkerHeartbeatSchema.safeParse(d);
      return parsed.success ? [parsed.data] : [];
    });
    return sumFreeSlots(live, now, this.#staleAfterMs);
  }

  /** The step names the workers heard from in the last `staleAfterMs` publish (their union, sorted). */
  async stepNames(now: number): Promise<string[]> {
    const since = now - this.#staleAfterMs;
    const docs = await this.#workers
      .find({ $or: [{ at: { $gte: since } }, { at: { $gte: new Date(since) } }] })
      .toArray();
    const names = new Set<string>();
    for (const d of docs) {
      const parsed = WorkerHeartbeatSchema.safeParse(d);
      if (parsed.success) for (const n of parsed.data.steps ?? []) names.add(n);
    }
    return [...names].sort();
  }

  /** Deletes heartbeats older than `olderThanMs` (workers that died without removing theirs). */
  async prune(now: number, olderThanMs = 10 * this.#staleAfterMs): Promise<number> {
    const before = now - olderThanMs;
    const res = await this.#workers.deleteMany({
      $or: [{ at: { $lt: before } }, { at: { $lt: new Date(before) } }],
    });
    return res.deletedCount;
  }
}
