import type { Logger } from "pino";
import { realTimers, type TimerHandle, type Timers } from "../shared/runtime/timers.ts";
import { judgeLiveness, type LivenessPolicy, type WatchdogVerdict } from "./liveness.ts";
import type { FeederLiveness } from "./work-feeder.ts";

export interface WatchdogDeps {
  readonly feeder: { liveness(): FeederLiveness; restart(): void };
  /** How long a required dependency has been unreachable; undefined while it answers. */
  readonly dependencyDownMs: () => number | undefined;
  readonly policy: LivenessPolicy;
  readonly intervalMs: number;
  readonly log: Logger;
  /** The worker cannot recover: the entry point stops it and exits non-zero. Called once. */
  readonly onUnrecoverable: (reason: string) => void;
  readonly timers?: Timers;
}

/**
 * Applies `judgeLiveness` every `intervalMs`: restarts a stalled feeder, and reports a worker that
 * cannot recover (once). `healthy` is what the capacity heartbeat reports. `check()` is public:
 * tests build the stalled state and call it directly.
 */
export class Watchdog {
  readonly #deps: WatchdogDeps;
  readonly #timers: Timers;
  #timer: TimerHandle | undefined;
  #running = false;
  #restarts = 0;
  #okAtLastRestart: number | undefined;
  #healthy = true;
  #gaveUp = false;

  constructor(deps: WatchdogDeps) {
    this.#deps = deps;
    this.#timers = deps.timers ?? realTimers;
  }

  get healthy(): boolean {
    return this.#healthy && !this.#gaveUp;
  }

  check(): WatchdogVerdict {
    const feeder = this.#deps.feeder.liveness();
    // A successful receive since the last restart: the restart worked, start counting afresh.
    if (this.#okAtLastRestart !== undefined && feeder.lastOkAt > this.#okAtLastRestart) {
      this.#restarts = 0;
      this.#okAtLastRestart = undefined;
    }
    const verdict = judgeLiveness(
      { feeder, restartsSinceOk: this.#restarts, dependencyDownMs: this.#deps.dependencyDownMs() },
      this.#deps.policy,
    );
    switch (verdict.kind) {
      case "ok":
        this.#healthy = verdict.healthy;
        break;
      case "restart":
        this.#healthy = false;
        this.#restarts += 1;
        this.#okAtLastRestart = feeder.lastOkAt;
        this.#deps.log.warn(
          { reason: verdict.reason, restarts: this.#restarts },
          "intake stalled: restarting it",
        );
        this.#deps.feeder.restart();
        break;
      case "exit":
        this.#healthy = false;
        if (!this.#gaveUp) {
          this.#gaveUp = true;
          this.#deps.log.fatal(
            { reason: verdict.reason },
            "worker cannot recover: exiting for its supervisor",
          );
          this.#deps.onUnrecoverable(verdict.reason);
        }
        break;
    }
    return verdict;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    this.#timers.clear(this.#timer);
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.#timers.set(
      () => {
        try {
          this.check();
        } finally {
          this.#schedule();
        }
      },
      this.#deps.intervalMs,
      { unref: true },
    );
  }
}

/** Restarts of a stalled intake without a successful receive in between before the worker exits. */
export const MAX_INTAKE_RESTARTS = 3;

/** The policy from the compiled config (`config.health`, the poll wait). */
export function livenessPolicy(config: {
  readonly health: { readonly intakeStallMs: number; readonly exitAfterMs: number };
  readonly worker: { readonly pollWaitSeconds: number };
}): LivenessPolicy {
  return {
    stallMs: config.health.intakeStallMs,
    hungReceiveMs: config.worker.pollWaitSeconds * 1000 + config.health.intakeStallMs,
    maxRestarts: MAX_INTAKE_RESTARTS,
    exitAfterMs: config.health.exitAfterMs,
  };
}
