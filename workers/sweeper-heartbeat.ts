import type { Logger } from "pino";
import type { SweeperHeartbeat } from "../shared/fleet/sweeper-heartbeats.ts";
import { realTimers, type TimerHandle, type Timers } from "../shared/runtime/timers.ts";

export interface SweeperReporterDeps {
  /** `SweeperRegistry` (or a fake). */
  readonly registry: {
    heartbeat(hb: SweeperHeartbeat): Promise<void>;
    remove(sweeperId: string): Promise<void>;
  };
  readonly sweeperId: string;
  /** The sweeper whose ticks prove it alive. */
  readonly sweeper: { readonly lastTickAt: number | undefined };
  /** Epoch ms, the sweeper's clock. */
  readonly now: () => number;
  /** A sweeper whose last tick ended longer ago than this (a hung tick) sends no heartbeat. */
  readonly maxTickAgeMs: number;
  readonly log: Logger;
  /** Default 2 s (well inside the 15 s staleness window). */
  readonly intervalMs?: number;
  readonly timers?: Timers;
}

/** Beat now? A sweeper is alive while its last tick (or, before the first, its start) is recent. Pure. */
export function sweeperAlive(
  lastTickAt: number | undefined,
  startedAt: number,
  now: number,
  maxTickAgeMs: number,
): boolean {
  return now - (lastTickAt ?? startedAt) <= maxTickAgeMs;
}

/**
 * Heartbeats of a running sweeper (issue 9, item 12): `{ sweeperId, at, lastTickAt }` every
 * `intervalMs` while its ticks keep completing, removal at `stop()`. A failed beat is logged and
 * retried at the next period. Idempotent start and stop.
 */
export class SweeperReporter {
  readonly #deps: SweeperReporterDeps;
  readonly #timers: Timers;
  #timer: TimerHandle | undefined;
  #running = false;
  #startedAt = 0;
  #inFlight: Promise<unknown> | undefined;

  constructor(deps: SweeperReporterDeps) {
    this.#deps = deps;
    this.#timers = deps.timers ?? realTimers;
  }

  /** Sends one heartbeat if the sweeper is alive; resolves to whether it sent one. Never throws. */
  beat(): Promise<boolean> {
    const { registry, sweeperId, sweeper, now, log, maxTickAgeMs } = this.#deps;
    const t = now();
    const last = sweeper.lastTickAt;
    if (!sweeperAlive(last, this.#startedAt, t, maxTickAgeMs)) {
      log.warn({ sweeperId, lastTickAt: last }, "sweeper not ticking: no heartbeat");
      return Promise.resolve(false);
    }
    const p = registry
      .heartbeat({ sweeperId, at: t, ...(last !== undefined ? { lastTickAt: last } : {}) })
      .then(
        () => true,
        (err: unknown) => {
          log.warn({ err, sweeperId }, "sweeper heartbeat failed");
          return false;
        },
      );
    this.#inFlight = p;
    return p;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#startedAt = this.#deps.now();
    await this.beat();
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.#timers.set(
      () => void this.beat().then(() => this.#schedule()),
      this.#deps.intervalMs ?? 2_000,
      { unref: true },
    );
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#timers.clear(this.#timer);
    await this.#inFlight;
    await this.#deps.registry
      .remove(this.#deps.sweeperId)
      .catch((err: unknown) => this.#deps.log.warn({ err }, "could not remove the sweeper heartbeat"));
  }
}
