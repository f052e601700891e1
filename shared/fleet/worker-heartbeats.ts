/**
 * Worker heartbeats, the write side of the capacity contract between workers and schedulers: each
 * worker process keeps one document in the `workers` collection (fleet-level, not tenant data),
 * `{ workerId, slots, busy, healthy, at, prefetch? }` with `at` in epoch ms (a BSON date is accepted too).
 * Workers write it (`workers/capacity-reporter.ts`); schedulers read it (`scheduler/store/capacity.ts`
 * sums the free slots of the live, healthy ones).
 */
import type { Collection, Db } from "mongodb";
import { z } from "zod";
import { COLLECTIONS } from "../mongo/collections.ts";
import { isDuplicateKeyError } from "../mongo/errors.ts";

const count = z.number().int().min(0);

export const WorkerHeartbeatSchema = z
  .object({
    workerId: z.string().min(1).max(200),
    slots: count,
    busy: count,
    at: z.union([z.number().int().min(0), z.date().transform((d) => d.getTime())]),
    /** False while the worker cannot take work (intake stalled or failing, a dependency down); absent: true. */
    healthy: z.boolean().optional(),
    /**
     * The names of the steps the worker runs (built-in and its `SLUICE_STEPS`): how the scheduler
     * learns custom step names without loading step code (docs/adr/0013-step-sdk.md).
     */
    steps: z.array(z.string().max(200)).max(10_000).optional(),
    /**
     * Released work the worker receives ahead of its free slots and holds for them (its prefetch):
     * the scheduler's release lead covers it (`releaseLead`); absent: an older worker, counted as 0.
     */
    prefetch: count.max(10_000).optional(),
  })
  .transform(({ workerId, slots, busy, at, healthy, steps, prefetch }) => ({
    workerId,
    slots,
    busy,
    at,
    ...(healthy === false ? { healthy } : {}),
    ...(steps !== undefined ? { steps } : {}),
    ...(prefetch !== undefined ? { prefetch } : {}),
  }));

/** A parsed heartbeat; `healthy` is present only when false (absent: healthy). */
export type WorkerHeartbeat = z.output<typeof WorkerHeartbeatSchema>;
/** What a worker sends (`healthy` may be left out: a worker that does not report health is healthy). */
export type WorkerHeartbeatInput = Omit<WorkerHeartbeat, "healthy" | "steps" | "prefetch"> & {
  readonly healthy?: boolean;
  readonly steps?: readonly string[];
  readonly prefetch?: number;
};

export interface WorkerDoc {
  workerId: string;
  slots: number;
  busy: number;
  at: number | Date;
  healthy?: boolean;
  steps?: string[];
  prefetch?: number;
}

export class WorkerHeartbeats {
  readonly #docs: Collection<WorkerDoc>;

  constructor(db: Db) {
    this.#docs = db.collection<WorkerDoc>(COLLECTIONS.workers);
  }

  /**
   * Records a worker's heartbeat. A heartbeat older than the stored one is ignored (out-of-order
   * writes), so the stored document only moves forward.
   */
  async heartbeat(hb: WorkerHeartbeatInput): Promise<void> {
    const beat = WorkerHeartbeatSchema.parse(hb);
    const write = (upsert: boolean) =>
      this.#docs.updateOne(
        { workerId: beat.workerId, at: { $lte: beat.at } },
        {
          $set: {
            slots: beat.slots,
            busy: beat.busy,
            at: beat.at,
            healthy: beat.healthy !== false,
            ...(beat.steps !== undefined ? { steps: beat.steps } : {}),
            ...(beat.prefetch !== undefined ? { prefetch: beat.prefetch } : {}),
          },
        },
        { upsert },
      );
    try {
      await write(true);
    } catch (err) {
      // The unique workerId index refused the upsert: a newer heartbeat is stored, or a concurrent
      // first heartbeat inserted it; the plain update applies only in the second case.
      if (!isDuplicateKeyError(err)) throw err;
      await write(false);
    }
  }

  /** A worker shutting down cleanly removes its document, so its slots stop counting at once. */
  async remove(workerId: string): Promise<void> {
    await this.#docs.deleteOne({ workerId });
  }
}
