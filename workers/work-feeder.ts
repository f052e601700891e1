import type { Logger } from "pino";
import type { ReceivedMessage, SqsPort } from "../shared/aws/sqs-port.ts";
import { realTimers, type TimerHandle, type Timers } from "../shared/runtime/timers.ts";
import { HeldMessages } from "./held-messages.ts";
import {
  FILL_WAIT_MS,
  planReceive,
  type InFlightReceive,
  type IntakePolicy,
  type ReceivePlan,
} from "./receive-plan.ts";

/** Prefetch only while this worker frees a slot at least this often (ms, smoothed). */
export const PREFETCH_MAX_TURNOVER_MS = 1000;
/** Pause after a failed receive. */
export const RETRY_MS = 1000;

/** What the liveness watchdog reads (monotonic ms, the feeder's own clock). */
export interface FeederLiveness {
  readonly now: number;
  readonly started: boolean;
  readonly stopped: boolean;
  /** Free slots now (a feeder with none is not expected to poll). */
  readonly free: number;
  /** False while intake is closed (`intakeOpen`: a dependency the jobs need is unreachable). */
  readonly open: boolean;
  /** Start times of the receives in flight. */
  readonly inFlightSince: readonly number[];
  /** When the last receive went out; undefined before the first. */
  readonly lastReceiveAt: number | undefined;
  /** When the last receive succeeded (or the feeder started). */
  readonly lastOkAt: number;
  /** When the watchdog last restarted the feeder; undefined if never. */
  readonly restartedAt: number | undefined;
  /** Receives failed in a row. */
  readonly failures: number;
}

export interface WorkFeederDeps {
  sqs: SqsPort;
  queueUrl: string;
  pollWaitSeconds: number;
  visibilityTimeoutSeconds: number;
  /** Messages held beyond the free slots (0: none). */
  prefetch: number;
  policy: IntakePolicy;
  log: Logger;
  /** Free slots now. */
  free: () => number;
  /** Runs a message in a free slot (the slot is taken synchronously). */
  run: (message: ReceivedMessage) => void;
  /** Aborts receives in flight (the end of the shutdown grace period, not the stop itself). */
  abort: AbortSignal;
  /** Monotonic ms; default `performance.now`. */
  now?: () => number;
  /** Default: Node's timers. */
  timers?: Timers;
  /**
   * While this returns false no message is received or started, and held ones are made visible
   * again (a dependency the jobs need is down: receiving would only burn receive counts). Call
   * `pump()` when it opens again.
   */
  intakeOpen?: () => boolean;
}

/**
 * The worker's intake: receives work messages into its free slots as `planReceive` decides, holds
 * prefetched ones (`HeldMessages`) and starts one the moment a slot frees (`pump()`), without a
 * receive round trip. Prefetch is on while slots turn over faster than `PREFETCH_MAX_TURNOVER_MS`
 * (a job that holds its slot for minutes gains nothing from a message held for it, and another
 * worker's free slot could run it). `stop()` ends receiving, makes held messages visible again and
 * waits for receives in flight, making what they bring visible again too.
 */
export class WorkFeeder {
  readonly #held: HeldMessages;
  /** Receives in flight, with when each went out. */
  readonly #inFlight = new Map<InFlightReceive, number>();
  readonly #receives = new Set<Promise<void>>();
  readonly #now: () => number;
  readonly #timers: Timers;
  #started = false;
  #stopped = false;
  #workWaiting = false;
  #refillTimer: TimerHandle | undefined;
  #refillDue = false;
  #refillAllowed = true;
  #pausedUntil = 0;
  #pauseTimer: TimerHandle | undefined;
  #lastReceiveAt: number | undefined;
  #lastOkAt = 0;
  #restartedAt: number | undefined;
  #failures = 0;
  /** Smoothed ms between two slot frees, and the last one. */
  #turnoverMs: number | undefined;
  #lastFreed: number | undefined;

  constructor(private readonly deps: WorkFeederDeps) {
    this.#now = deps.now ?? (() => performance.now());
    this.#timers = deps.timers ?? realTimers;
    this.#held = new HeldMessages({
      sqs: deps.sqs,
      queueUrl: deps.queueUrl,
      visibilityTimeoutSeconds: deps.visibilityTimeoutSeconds,
      log: deps.log,
      now: this.#now,
    });
  }

  /** Messages held, not started. */
  get held(): number {
    return this.#held.size;
  }

  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#lastOkAt = this.#now();
    this.pump();
  }

  /** A snapshot for the liveness watchdog. */
  liveness(): FeederLiveness {
    return {
      now: this.#now(),
      started: this.#started,
      stopped: this.#stopped,
      free: this.deps.free(),
      open: this.#open(),
      inFlightSince: [...this.#inFlight.values()],
      lastReceiveAt: this.#lastReceiveAt,
      lastOkAt: this.#lastOkAt,
      restartedAt: this.#restartedAt,
      failures: this.#failures,
    };
  }

  /**
   * The watchdog found this feeder stalled: forget receives in flight (a hung one still lands its
   * messages in the held list if it ever returns), drop pauses and timers, and pump again.
   */
  restart(): void {
    if (!this.#started || this.#stopped) return;
    this.#timers.clear(this.#refillTimer);
    this.#timers.clear(this.#pauseTimer);
    this.#refillTimer = this.#pauseTimer = undefined;
    this.#inFlight.clear();
    this.#pausedUntil = 0;
    this.#refillDue = false;
    this.#refillAllowed = true;
    this.#restartedAt = this.#now();
    this.pump();
  }

  /** A slot was freed: start a held message in it and receive what the plan asks for. */
  slotFreed(): void {
    const t = this.#now();
    if (this.#lastFreed !== undefined) {
      const gap = t - this.#lastFreed;
      this.#turnoverMs = this.#turnoverMs === undefined ? gap : 0.8 * this.#turnoverMs + 0.2 * gap;
    }
    this.#lastFreed = t;
    this.#refillAllowed = true;
    this.pump();
  }

  pump(): void {
    if (!this.#started || this.#stopped) return;
    if (!this.#open()) {
      if (this.#held.size > 0) void this.#held.releaseAll();
      return;
    }
    while (this.deps.free() > 0) {
      const m = this.#held.take();
      if (!m) break;
      this.deps.run(m);
    }
    const t = this.#now();
    if (t < this.#pausedUntil) {
      // The retry timer runs on the timers' clock, not on `now`: it may fire a little before
      // `#pausedUntil`. Whatever woke us early, re-arm for the rest of the pause, so a pause always
      // ends in a pump (issue 9 bug A: an early timer returned here and nothing ever polled again).
      this.#pauseTimer ??= this.#timers.set(
        () => this.#resume(),
        Math.max(1, Math.ceil(this.#pausedUntil - t)),
      );
      return;
    }
    for (;;) {
      const plan = planReceive(
        {
          free: this.deps.free(),
          held: this.#held.size,
          inFlight: [...this.#inFlight.keys()],
          workWaiting: this.#workWaiting,
          prefetch: this.#prefetchNow(t),
          refillDue: this.#refillDue,
          refillAllowed: this.#refillAllowed,
        },
        this.deps.policy,
      );
      if (plan.kind === "receive") this.#receive(plan);
      else {
        if (plan.kind === "later") this.#refillTimer ??= this.#timers.set(() => this.#refill(), FILL_WAIT_MS);
        return;
      }
    }
  }

  /** No more receives; held messages and whatever receives in flight bring go back to the queue. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timers.clear(this.#refillTimer);
    this.#timers.clear(this.#pauseTimer);
    await Promise.allSettled([this.#held.releaseAll(), ...this.#receives]);
  }

  #prefetchNow(t: number): number {
    if (this.deps.prefetch <= 0 || this.#turnoverMs === undefined || this.#lastFreed === undefined) return 0;
    const turnover = Math.max(this.#turnoverMs, t - this.#lastFreed);
    return turnover <= PREFETCH_MAX_TURNOVER_MS ? this.deps.prefetch : 0;
  }

  #open(): boolean {
    return this.deps.intakeOpen?.() ?? true;
  }

  #resume(): void {
    this.#pauseTimer = undefined;
    this.pump();
  }

  #refill(): void {
    this.#refillTimer = undefined;
    this.#refillDue = true;
    try {
      this.pump();
    } finally {
      this.#refillDue = false;
    }
  }

  #receive(plan: Extract<ReceivePlan, { kind: "receive" }>): void {
    const entry: InFlightReceive = { size: plan.size, forSlots: plan.forSlots };
    const at = this.#now();
    this.#inFlight.set(entry, at);
    this.#lastReceiveAt = at;
    const p = this.deps.sqs
      .receive(this.deps.queueUrl, {
        maxMessages: plan.size,
        waitSeconds: plan.longPoll ? this.deps.pollWaitSeconds : 0,
        visibilityTimeout: this.deps.visibilityTimeoutSeconds,
        // Not aborted at stop(): an aborted long poll may still have taken messages server-side,
        // hiding them for a whole visibility timeout. Only the end of the grace period aborts it.
        signal: this.deps.abort,
      })
      .then(
        async (messages) => {
          this.#inFlight.delete(entry);
          this.#failures = 0;
          this.#lastOkAt = this.#now();
          if (this.#stopped) return this.#giveBack(messages);
          const full = messages.length >= plan.size;
          this.#workWaiting = full;
          if (full) this.#refillAllowed = true;
          else if (!plan.longPoll) this.#refillAllowed = false;
          const heldAt = this.#now();
          for (const m of messages) this.#held.hold(m, heldAt);
        },
        (err: unknown) => {
          this.#inFlight.delete(entry);
          if (this.#stopped) return;
          this.#failures += 1;
          this.deps.log.error({ err, failures: this.#failures }, "poll failed; retrying in 1 s");
          this.#pausedUntil = this.#now() + RETRY_MS;
          this.#timers.clear(this.#pauseTimer);
          this.#pauseTimer = this.#timers.set(() => this.#resume(), RETRY_MS);
        },
      )
      .finally(() => {
        this.#receives.delete(p);
        this.pump();
      });
    this.#receives.add(p);
  }

  async #giveBack(messages: readonly ReceivedMessage[]): Promise<void> {
    await Promise.allSettled(
      messages.map((m) => this.deps.sqs.changeVisibility(this.deps.queueUrl, m.receiptHandle, 0)),
    );
  }
}
