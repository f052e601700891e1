/**
 * Keeps a job's lease and its work message alive for as long as the job is in the worker (issue 9 D).
 *
 * A lease says "this worker is running the job"; it must stay true while the job makes progress,
 * not only while one step runs. Extending only inside a step let a healthy job of many short steps
 * (each shorter than the extension period) reach the end of its lease: the sweeper re-enqueued it
 * and its step in flight ran again elsewhere. So the runner starts one keeper per job right after the
 * claim and stops it when the job leaves the worker: every `everyMs` (a third of the shorter of the
 * lease and the visibility timeout) it moves the lease expiry forward (owner-fenced, no version bump:
 * a heartbeat never makes the job's own checkpoint lose) and the message's visibility with it. A
 * step's heartbeat calls `touch()` for an extension at once.
 *
 * When the lease is no longer this worker's (the sweeper took it after the process stalled, an
 * operator cancelled the job), extending stops: the job's next write loses its compare-and-set and
 * the run ends there without writing.
 */
import type { Logger } from "pino";

export interface LeaseKeeperDeps {
  /** Moves the lease expiry forward; false when the lease is no longer this worker's. */
  extendLease: () => Promise<boolean>;
  /** Extends the work message's visibility. */
  extendVisibility: () => Promise<void>;
  everyMs: number;
  log: () => Logger;
}

export class LeaseKeeper {
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;
  #lost = false;

  constructor(private readonly deps: LeaseKeeperDeps) {}

  /** True once an extension found the lease taken away. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Extends every `everyMs` until `stop()`. */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => void this.touch(), this.deps.everyMs);
  }

  /** Extends now (joining an extension in flight). Never rejects; failures are logged. */
  touch(): Promise<void> {
    if (this.#stopped || this.#lost) return Promise.resolve();
    this.#inFlight ??= this.#extend().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  /** Stops extending; resolves once an extension in flight is done. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#inFlight;
  }

  async #extend(): Promise<void> {
    const [lease, visibility] = await Promise.allSettled([
      this.deps.extendLease(),
      this.deps.extendVisibility(),
    ]);
    if (lease.status === "rejected") this.deps.log().warn({ err: lease.reason }, "lease extension failed");
    else if (!lease.value && !this.#stopped) {
      this.#lost = true;
      this.deps.log().warn({}, "the job's lease is no longer this worker's; it stops extending it");
    }
    if (visibility.status === "rejected") {
      this.deps.log().warn({ err: visibility.reason }, "visibility extension failed");
    }
  }
}
