import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { WorkerHeartbeats, type WorkerHeartbeatInput } from "../shared/fleet/worker-heartbeats.ts";
import type { Runtime } from "../shared/runtime/runtime.ts";

export interface CapacityReporterDeps {
  /** `WorkerHeartbeats` (or a fake): where heartbeats go. */
  readonly capacity: {
    heartbeat(hb: WorkerHeartbeatInput): Promise<void>;
    remove(workerId: string): Promise<void>;
  };
  readonly workerId: string;
  /** Jobs this worker runs at once (its `concurrency`). */
  readonly slots: number;
  /** Jobs running now, e.g. `() => worker.busy`. */
  readonly busy: () => number;
  /**
   * Whether the worker can take work now (its intake polls, its dependencies answer); default
   * always. An unhealthy worker's slots are not counted as free by the scheduler.
   */
  readonly healthy?: () => boolean;
  /** The names of the steps the worker runs, published for the scheduler (docs/adr/0013-step-sdk.md). */
  readonly steps?: readonly string[];
  /** Messages the worker holds ahead of its free slots (`Worker.prefetch`), for the release lead. */
  readonly prefetch?: number;
  readonly now: () => number;
  readonly log: Logger;
  /** Heartbeat period; default 2 s (well inside the scheduler's 15 s staleness window). */
  readonly intervalMs?: number;
}

/**
 * Tells the scheduler this worker's capacity: a heartbeat `{ workerId, slots, busy, healthy, at }` every
 * `intervalMs`, the first one at `start()` (so the scheduler counts the slots before the first job
 * arrives), and removal of the document at `stop()` so the slots stop counting at once. A failed
 * heartbeat is logged and retried at the next period. Idempotent start and stop.
 */
export class CapacityReporter {
  readonly #deps: CapacityReporterDeps;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #inFlight: Promise<void> | undefined;

  constructor(deps: CapacityReporterDeps) {
    this.#deps = deps;
  }

  get workerId(): string {
    return this.#deps.workerId;
  }

  /** Sends one heartbeat now. Never throws. */
  beat(): Promise<void> {
    const { capacity, workerId, slots, busy, now, log } = this.#deps;
    const healthy = this.#deps.healthy?.() ?? true;
    const p = capacity
      .heartbeat({
        workerId,
        slots,
        busy: Math.min(slots, Math.max(0, busy())),
        healthy,
        at: now(),
        ...(this.#deps.steps !== undefined ? { steps: this.#deps.steps } : {}),
        ...(this.#deps.prefetch !== undefined ? { prefetch: this.#deps.prefetch } : {}),
      })
      .catch((err: unknown) => log.warn({ err, workerId }, "capacity heartbeat failed"));
    this.#inFlight = p;
    return p;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.beat();
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      void this.beat().then(() => this.#schedule());
    }, this.#deps.intervalMs ?? 2_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#inFlight;
    await this.#deps.capacity
      .remove(this.#deps.workerId)
      .catch((err: unknown) => this.#deps.log.warn({ err }, "could not remove the capacity heartbeat"));
  }
}

/**
 * A reporter for a worker built over a runtime: heartbeats to the `workers` collection of the shared
 * database every 2 s (`intervalMs`) with the worker's configured concurrency (`slots`) as its slots.
 */
export function createCapacityReporter(
  rt: Runtime,
  worker: { readonly busy: number; readonly prefetch?: number },
  options: {
    workerId?: string;
    slots?: number;
    intervalMs?: number;
    healthy?: () => boolean;
    steps?: readonly string[];
  } = {},
): CapacityReporter {
  const workerId =
    options.workerId ?? rt.config.worker.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  return new CapacityReporter({
    capacity: new WorkerHeartbeats(rt.fleetDb),
    workerId,
    slots: options.slots ?? rt.config.worker.concurrency,
    busy: () => worker.busy,
    ...(options.healthy ? { healthy: options.healthy } : {}),
    ...(options.steps ? { steps: options.steps } : {}),
    ...(worker.prefetch !== undefined ? { prefetch: worker.prefetch } : {}),
    now: Date.now,
    log: rt.log.child({ component: "capacity-reporter", workerId }),
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
  });
}
