/**
 * The long poll that watches an idle tenant's intake queue (ADR 0023): one `ReceiveMessage` with
 * `WaitTimeSeconds` at a time per idle lane, each lane on its own (no shared limiter, so a slow or
 * failing queue holds up nobody else), repeated while the lane stays idle. What a poll returns goes
 * to `accept` at once (the lane's buffer; the caller wakes the release loop), and the lane then
 * leaves idle mode: its backlog is worked with short receives by the tick until it drains.
 *
 * A watch ends in one of two ways:
 * - `letGo` (a tenant handed to another replica, paused, or without a quota): the poll in flight is
 *   NOT cut short. A request the client aborts stays open on the SQS side for the rest of its wait and
 *   still takes the next message, which would then stay invisible for the poll's visibility timeout
 *   (10 s: a hand-over used to delay a tenant's next message that long). Instead the loop ends when
 *   the poll returns, and what it brought goes to `late` (the lanes make it visible again at once), so
 *   the tenant's next owner, or its next long poll, gets it within milliseconds.
 * - `abortAll` (the scheduler stops: it cannot wait out a 20 s poll): the polls let go and still open
 *   are aborted. Messages a poll had already received still reach `late`; messages SQS had taken
 *   for a request the abort cut off reappear after the poll's visibility timeout, which the lanes
 *   keep short (10 s) for that reason: never lost, never released twice, only late.
 * A failed poll ends the watch; the lane may watch again after a per-lane backoff (500 ms doubling
 * to 30 s), which a success resets.
 */
import type { Logger } from "pino";
import type { ReceivedMessage, SqsPort } from "../../shared/aws/sqs-port.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export interface LongPollOptions {
  /** WaitTimeSeconds of each poll, 1-20. */
  readonly waitSeconds: number;
  readonly visibilitySeconds: number;
  /** Messages asked per poll, 1-10. */
  readonly maxMessages: number;
}

/** What the poller needs of a lane (kept on `TenantLane`). */
export interface Watchable {
  readonly tenantId: TenantId;
  /** The poll in flight, if any. */
  watch: Watch | undefined;
  pollFailures: number;
  /** Scheduler-clock ms before which a failed lane does not poll again. */
  pollRetryAt: number | undefined;
}

/** One watch: its poll loop, and where a poll's messages go once the watch is let go. */
export interface Watch {
  readonly abort: AbortController;
  readonly done: Promise<void>;
  /** Set by `letGo`: the loop ends after the poll in flight and hands what it brought here. */
  late?: (messages: ReceivedMessage[]) => Promise<void>;
}

export interface LongPollDeps {
  readonly sqs: SqsPort;
  readonly now: () => number;
  readonly log: Logger;
}

export const POLL_BACKOFF_BASE_MS = 500;
export const POLL_BACKOFF_MAX_MS = 30_000;

export function pollBackoffMs(failures: number): number {
  return Math.min(POLL_BACKOFF_MAX_MS, POLL_BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
}

export class LongPoller {
  readonly #deps: LongPollDeps;
  readonly #opts: LongPollOptions;
  #watching = 0;
  /** Watches let go whose poll is still open (aborted by `abortAll`). */
  readonly #lettingGo = new Set<Watch>();
  /** Long polls sent (completed, failed or aborted) since start. */
  requests = 0;

  constructor(deps: LongPollDeps, options: LongPollOptions) {
    this.#deps = deps;
    this.#opts = options;
  }

  /** Lanes watched by a poll (polls let go and still open are not counted: see `lettingGo`). */
  get watching(): number {
    return this.#watching;
  }

  /** Polls let go and still open (they end within their wait). */
  get lettingGo(): number {
    return this.#lettingGo.size;
  }

  /** True when the lane may start a watch now (none in flight, not backing off after a failure). */
  canWatch(lane: Watchable): boolean {
    return (
      lane.watch === undefined && (lane.pollRetryAt === undefined || this.#deps.now() >= lane.pollRetryAt)
    );
  }

  /**
   * Starts watching `queueUrl` for the lane unless it is already watched or backing off. `accept` gets
   * each non-empty result and returns whether to keep polling (false: the lane left idle mode).
   */
  watch(lane: Watchable, queueUrl: string, accept: (messages: ReceivedMessage[]) => boolean): void {
    if (!this.canWatch(lane)) return;
    const abort = new AbortController();
    this.#watching += 1;
    const watch: Watch = { abort, done: Promise.resolve() };
    const done = this.#loop(lane, queueUrl, watch, accept).finally(() => {
      if (!this.#lettingGo.delete(watch)) this.#watching -= 1;
      if (lane.watch === watch) lane.watch = undefined;
    });
    (watch as { done: Promise<void> }).done = done;
    lane.watch = watch;
  }

  /**
   * Ends the lane's watch without aborting its poll (see the module note): the lane is unwatched at
   * once; the poll in flight runs out (at most its wait) and what it brings goes to `late`.
   */
  letGo(lane: Watchable, late: (messages: ReceivedMessage[]) => Promise<void>): void {
    const w = lane.watch;
    if (w === undefined) return;
    w.late = late;
    lane.watch = undefined;
    this.#lettingGo.add(w);
    this.#watching -= 1;
  }

  /** Aborts every poll let go and still open (the scheduler is stopping); waits for them to end. */
  async abortAll(): Promise<void> {
    const open = [...this.#lettingGo];
    for (const w of open) w.abort.abort();
    await Promise.all(open.map((w) => w.done));
  }

  async #loop(
    lane: Watchable,
    queueUrl: string,
    watch: Watch,
    accept: (messages: ReceivedMessage[]) => boolean,
  ): Promise<void> {
    const signal = watch.abort.signal;
    while (!signal.aborted && watch.late === undefined) {
      let messages: ReceivedMessage[];
      this.requests += 1;
      try {
        messages = await this.#deps.sqs.receive(queueUrl, {
          maxMessages: this.#opts.maxMessages,
          waitSeconds: this.#opts.waitSeconds,
          visibilityTimeout: this.#opts.visibilitySeconds,
          signal,
        });
      } catch (err) {
        if (signal.aborted || watch.late !== undefined) return;
        lane.pollFailures += 1;
        const backoffMs = pollBackoffMs(lane.pollFailures);
        lane.pollRetryAt = this.#deps.now() + backoffMs;
        const e = err as { name?: string; code?: string; message?: string };
        this.#deps.log.warn(
          { tenantId: lane.tenantId, err: { name: e.name, code: e.code, message: e.message }, backoffMs },
          "intake long poll failed; the tenant polls again after a backoff",
        );
        return;
      }
      const late = lateOf(watch); // set by letGo while the poll was open
      if (late !== undefined) {
        if (messages.length > 0) await late(messages);
        return;
      }
      lane.pollFailures = 0;
      lane.pollRetryAt = undefined;
      if (messages.length > 0 && !accept(messages)) return;
    }
  }
}

/** The watch's `late` hand-off as it is now (read through a call: `letGo` sets it during an await). */
function lateOf(watch: Watch): Watch["late"] {
  return watch.late;
}
