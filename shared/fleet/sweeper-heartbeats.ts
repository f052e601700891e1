/**
 * Sweeper heartbeats (issue 9, item 12): without a sweeper, expired leases, due wake-ups and lost
 * work messages are never recovered, and nothing used to notice. Every running sweeper writes
 * `{ sweeperId, at, lastTickAt }` to the fleet-level `sweepers` collection while its ticks keep
 * completing (like workers' capacity heartbeats); `tenants list` and the scheduler warn when no
 * sweeper has written for `staleAfterMs`. The contract lives here because workers write it and the
 * scheduler and CLI read it.
 */
import type { Collection, Db } from "mongodb";
import { z } from "zod";
import { COLLECTIONS } from "../mongo/collections.ts";
import { isDuplicateKeyError } from "../mongo/errors.ts";

const epochMs = z.union([z.number().int().min(0), z.date().transform((d) => d.getTime())]);

export const SweeperHeartbeatSchema = z
  .object({
    sweeperId: z.string().min(1).max(200),
    at: epochMs,
    /** When its last tick ended (epoch ms). */
    lastTickAt: epochMs.optional(),
  })
  .transform(({ sweeperId, at, lastTickAt }) => ({
    sweeperId,
    at,
    ...(lastTickAt !== undefined ? { lastTickAt } : {}),
  }));

export type SweeperHeartbeat = z.output<typeof SweeperHeartbeatSchema>;

/** A sweeper not heard from for this long is presumed gone (as a worker's capacity heartbeat). */
export const SWEEPER_STALE_AFTER_MS = 15_000;

export const NO_SWEEPER_WARNING =
  "no sweeper is alive: expired leases, due wake-ups and lost work messages are not recovered " +
  "(run at least one worker without --no-sweeper)";

/** Live sweepers: heartbeats at or after `now − staleAfterMs`. Pure. */
export function liveSweepers(
  beats: readonly SweeperHeartbeat[],
  now: number,
  staleAfterMs = SWEEPER_STALE_AFTER_MS,
): SweeperHeartbeat[] {
  return beats.filter((b) => b.at >= now - staleAfterMs);
}

export interface SweeperView {
  readonly live: readonly SweeperHeartbeat[];
  readonly stale: number;
  readonly invalid: number;
  /** `NO_SWEEPER_WARNING` when none is live. */
  readonly warning: string | undefined;
}

interface SweeperDoc {
  sweeperId: string;
  at: number | Date;
  lastTickAt?: number | Date;
}

export class SweeperRegistry {
  readonly #sweepers: Collection<SweeperDoc>;
  readonly #staleAfterMs: number;

  constructor(db: Db, options: { staleAfterMs?: number } = {}) {
    this.#sweepers = db.collection<SweeperDoc>(COLLECTIONS.sweepers);
    this.#staleAfterMs = options.staleAfterMs ?? SWEEPER_STALE_AFTER_MS;
  }

  /** Records a heartbeat; an older one than the stored one is ignored (the document only moves forward). */
  async heartbeat(hb: SweeperHeartbeat): Promise<void> {
    const beat = SweeperHeartbeatSchema.parse(hb);
    const set: Partial<SweeperDoc> = { at: beat.at };
    if (beat.lastTickAt !== undefined) set.lastTickAt = beat.lastTickAt;
    const write = (upsert: boolean) =>
      this.#sweepers.updateOne(
        { sweeperId: beat.sweeperId, at: { $lte: beat.at } },
        { $set: set },
        { upsert },
      );
    try {
      await write(true);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      await write(false); // a newer beat is stored, or a concurrent first one inserted it
    }
  }

  /** A sweeper stopping cleanly removes its document. */
  async remove(sweeperId: string): Promise<void> {
    await this.#sweepers.deleteOne({ sweeperId });
  }

  async view(now: number): Promise<SweeperView> {
    const beats: SweeperHeartbeat[] = [];
    let invalid = 0;
    for (const doc of await this.#sweepers.find({}).toArray()) {
      const parsed = SweeperHeartbeatSchema.safeParse(doc);
      if (parsed.success) beats.push(parsed.data);
      else invalid += 1;
    }
    const live = liveSweepers(beats, now, this.#staleAfterMs);
    return {
      live,
      stale: beats.length - live.length,
      invalid,
      warning: live.length === 0 ? NO_SWEEPER_WARNING : undefined,
    };
  }
}
