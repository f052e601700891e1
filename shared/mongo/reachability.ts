/**
 * Is MongoDB reachable, and when to recreate the client (issue 9 bug B).
 *
 * The driver normally reconnects by itself, but its server monitor can get stuck "in progress"
 * after the server restarts, and then every server selection times out forever. So a process
 * watches reachability itself: operations that fail with a connectivity error mark MongoDB down at
 * once (`report`), a probe (`ping`, bounded by `probeTimeoutMs`) every `probeMs` marks it up again,
 * and once it has been down for `reconnectAfterMs` the client's topology is recreated (close +
 * connect on the same `MongoClient`, so every `Db`/`Collection` handed out keeps working), again
 * every `reconnectAfterMs` while it stays down. Whether to exit after that is the caller's decision
 * (`downForMs`, see workers/liveness.ts).
 */
import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from "mongodb";
import type { Logger } from "pino";
import { realTimers, type TimerHandle, type Timers } from "../runtime/timers.ts";
import type { MongoHandle } from "./client.ts";

/** Errors that say "the server could not be reached", not "the server refused the operation". */
const CONNECTIVITY_NAMES = new Set([
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoServerSelectionError",
  "MongoTopologyClosedError",
  "MongoNotConnectedError",
  "MongoPoolClearedError",
  "PoolClearedError",
  "PoolClearedOnNetworkError",
]);

export function isMongoConnectivityError(err: unknown, depth = 0): boolean {
  if (typeof err !== "object" || err === null || depth > 4) return false;
  if (
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoTopologyClosedError ||
    err instanceof MongoNotConnectedError
  ) {
    return true;
  }
  const name = (err as { name?: unknown }).name;
  if (typeof name === "string" && CONNECTIVITY_NAMES.has(name)) return true;
  return isMongoConnectivityError((err as { cause?: unknown }).cause, depth + 1);
}

/** A client recreation (close, connect, ping: server selection included) gets this long. */
const RECONNECT_TIMEOUT_MS = 30_000;

export interface ReachabilityPolicy {
  readonly probeMs: number;
  readonly probeTimeoutMs: number;
  readonly reconnectAfterMs: number;
}

export interface ReachabilityState {
  /** When MongoDB was first seen unreachable in the current outage; undefined while it answers. */
  readonly downSince: number | undefined;
  /** When the client was last recreated in the current outage. */
  readonly lastReconnectAt: number | undefined;
}

/** Recreate the client now? Pure. */
export function shouldReconnect(s: ReachabilityState, now: number, p: ReachabilityPolicy): boolean {
  if (s.downSince === undefined || now - s.downSince < p.reconnectAfterMs) return false;
  return s.lastReconnectAt === undefined || now - s.lastReconnectAt >= p.reconnectAfterMs;
}

export interface MongoReachabilityDeps {
  /** One round trip to the server (e.g. `{ ping: 1 }`). */
  readonly ping: () => Promise<unknown>;
  /** Recreates the client's topology (`MongoHandle.reconnect`). */
  readonly reconnect: () => Promise<void>;
  readonly now: () => number;
  readonly log: Logger;
  readonly policy: ReachabilityPolicy;
  readonly timers?: Timers;
  /** Called when reachability changes (e.g. to reopen a worker's intake). */
  readonly onChange?: (up: boolean) => void;
}

export class MongoReachability {
  readonly #deps: MongoReachabilityDeps;
  readonly #timers: Timers;
  #downSince: number | undefined;
  #lastReconnectAt: number | undefined;
  #timer: TimerHandle | undefined;
  #running = false;
  #ticking: Promise<void> | undefined;
  #lastError: string | undefined;
  /** A recreation failed: the client stays closed until one succeeds, so every probe retries it. */
  #mustReconnect = false;

  constructor(deps: MongoReachabilityDeps) {
    this.#deps = deps;
    this.#timers = deps.timers ?? realTimers;
  }

  get up(): boolean {
    return this.#downSince === undefined;
  }

  /** How long MongoDB has been unreachable; undefined while it answers. */
  downForMs(now = this.#deps.now()): number | undefined {
    return this.#downSince === undefined ? undefined : now - this.#downSince;
  }

  /** An operation failed with `err`: a connectivity error marks MongoDB down now. Returns whether it did. */
  report(err: unknown): boolean {
    if (!isMongoConnectivityError(err)) return false;
    const wasUp = this.up;
    this.#markDown(err);
    if (wasUp) void this.tick(); // a blip ends at the next answer, not at the next period
    return true;
  }

  /** One probe, and a reconnect when due. Public for tests; never throws. */
  tick(): Promise<void> {
    this.#ticking ??= this.#probe().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#timers.clear(this.#timer);
    await this.#ticking;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.#timers.set(
      () => void this.tick().finally(() => this.#schedule()),
      this.#deps.policy.probeMs,
      { unref: true },
    );
  }

  async #probe(): Promise<void> {
    const { policy, now, log } = this.#deps;
    try {
      if (this.#mustReconnect) {
        await this.#bounded(this.#deps.reconnect(), RECONNECT_TIMEOUT_MS);
        this.#mustReconnect = false;
      }
      await this.#bounded(this.#deps.ping(), policy.probeTimeoutMs);
      if (this.#downSince !== undefined) {
        log.info({ downForMs: now() - this.#downSince }, "MongoDB reachable again");
        this.#downSince = this.#lastReconnectAt = this.#lastError = undefined;
        this.#deps.onChange?.(true);
      }
      return;
    } catch (err) {
      this.#markDown(err);
    }
    const t = now();
    if (!shouldReconnect({ downSince: this.#downSince, lastReconnectAt: this.#lastReconnectAt }, t, policy)) {
      return;
    }
    this.#lastReconnectAt = t;
    log.warn({ downForMs: t - (this.#downSince ?? t) }, "MongoDB unreachable: recreating the client");
    try {
      await this.#bounded(this.#deps.reconnect(), RECONNECT_TIMEOUT_MS);
    } catch (err) {
      this.#mustReconnect = true;
      log.warn({ err }, "MongoDB client recreation failed; retrying at every probe");
    }
  }

  #markDown(err: unknown): void {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (this.#downSince === undefined) {
      this.#downSince = this.#deps.now();
      this.#lastError = message;
      this.#deps.log.error({ err }, "MongoDB unreachable");
      this.#deps.onChange?.(false);
    } else if (message !== this.#lastError) {
      this.#lastError = message;
      this.#deps.log.warn({ err }, "MongoDB still unreachable");
    }
  }

  #bounded<T>(p: Promise<T>, ms: number): Promise<T> {
    let handle: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      handle = this.#timers.set(
        () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { name: "MongoProbeTimeout" })),
        ms,
        { unref: true },
      );
    });
    return Promise.race([p, timeout]).finally(() => this.#timers.clear(handle));
  }
}

/** A monitor over a connected handle with the configured periods (`config.health`). */
export function createMongoReachability(
  mongo: Pick<MongoHandle, "ping" | "reconnect">,
  health: { readonly checkMs: number; readonly mongoReconnectAfterMs: number },
  log: Logger,
  onChange?: (up: boolean) => void,
): MongoReachability {
  return new MongoReachability({
    ping: () => mongo.ping(),
    reconnect: () => mongo.reconnect(),
    now: () => performance.now(),
    log: log.child({ component: "mongo-reachability" }),
    policy: {
      probeMs: health.checkMs,
      probeTimeoutMs: Math.max(1000, Math.min(5000, 2 * health.checkMs)),
      reconnectAfterMs: health.mongoReconnectAfterMs,
    },
    ...(onChange ? { onChange } : {}),
  });
}
