/**
 * API replica heartbeats: every API process writes `{ _id: replicaId, at }` to the fleet-level
 * `api_replicas` collection every `beatMs` and counts the replicas heard from within `staleAfterMs`.
 * The edge divides each tenant's request rate by that count (`api/tenants/replica-share.ts`), so N
 * replicas behind a load balancer give a tenant its rate once, not N times. Heartbeats dead for
 * `retentionMs` are deleted by the live replicas. `apiReplicaView` lists them for operators
 * (`sluice fleet`, the console's fleet page).
 */
import type { Collection, Db } from "mongodb";
import { COLLECTIONS } from "../mongo/collections.ts";

export interface ApiReplicaOptions {
  readonly beatMs: number;
  readonly staleAfterMs: number;
  readonly retentionMs: number;
}

export const DEFAULT_API_REPLICA_OPTIONS: ApiReplicaOptions = {
  beatMs: 5_000,
  staleAfterMs: 15_000,
  retentionMs: 600_000,
};

interface ReplicaDoc {
  _id: string;
  at: Date;
}

/** The live replica count one API process divides its edge rates by (1 until its first beat). */
export class ApiReplicas {
  readonly #col: Collection<ReplicaDoc>;
  readonly #opts: ApiReplicaOptions;
  #count = 1;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    db: Db,
    readonly replicaId: string,
    options: Partial<ApiReplicaOptions> = {},
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.#col = db.collection<ReplicaDoc>(COLLECTIONS.apiReplicas);
    this.#opts = { ...DEFAULT_API_REPLICA_OPTIONS, ...options };
  }

  /** Live replicas, this one included (at least 1), as of the last beat. */
  count(): number {
    return this.#count;
  }

  /** Writes this replica's heartbeat, re-counts the live ones, deletes long-dead ones. */
  async beat(now: number): Promise<number> {
    await this.#col.updateOne({ _id: this.replicaId }, { $set: { at: new Date(now) } }, { upsert: true });
    const live = await this.#col.countDocuments({ at: { $gte: new Date(now - this.#opts.staleAfterMs) } });
    await this.#col.deleteMany({ at: { $lt: new Date(now - this.#opts.retentionMs) } });
    this.#count = Math.max(1, live);
    return this.#count;
  }

  /** Beats now and every `beatMs` until `stop()`; a failed beat keeps the last count (logged by `onError`). */
  async start(now: () => number = Date.now): Promise<void> {
    const run = async () => {
      try {
        await this.beat(now());
      } catch (err) {
        this.onError(err);
      }
    };
    await run();
    const loop = () => {
      this.#timer = setTimeout(() => void run().finally(loop), this.#opts.beatMs);
      this.#timer.unref();
    };
    loop();
  }

  /** Stops beating and removes this replica's heartbeat (the others stop counting it at their next beat). */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#col.deleteOne({ _id: this.replicaId }).catch(() => undefined);
  }
}

/** One API replica as operators see it: its last heartbeat, and alive if heard within `staleAfterMs`. */
export interface ApiReplicaRow {
  readonly replicaId: string;
  readonly lastHeartbeatAt: number;
  readonly alive: boolean;
}

/**
 * The API replicas with a heartbeat in `api_replicas` (the dead ones until the live ones delete them,
 * `retentionMs` after their last beat), alive first, then by id.
 */
export async function apiReplicaView(
  db: Db,
  now: number,
  staleAfterMs: number = DEFAULT_API_REPLICA_OPTIONS.staleAfterMs,
): Promise<ApiReplicaRow[]> {
  const docs = await db.collection<ReplicaDoc>(COLLECTIONS.apiReplicas).find({}).toArray();
  return docs
    .filter((d) => typeof d._id === "string" && d.at instanceof Date)
    .map((d) => ({
      replicaId: d._id,
      lastHeartbeatAt: d.at.getTime(),
      alive: d.at.getTime() >= now - staleAfterMs,
    }))
    .sort((a, b) => Number(b.alive) - Number(a.alive) || (a.replicaId < b.replicaId ? -1 : 1));
}
