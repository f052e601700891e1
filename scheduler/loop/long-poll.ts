/**
 * The long poll that watches an idle tenant's intake queue (ADR 0023): one `ReceiveMessage` with
 * `WaitTimeSeconds` at a time per idle lane, each lane on its own (no shared limiter, so a slow or
 * failing queue holds up nobody else), repeated while the lane stays idle. What a poll returns goes
 * to `accept` at once (the lane's buffer; the caller wakes the release loop), and the lane then
 * leaves idle mode: its backlog is worked with short receives by the tick until it drains.
 *
 * A poll is aborted by `stop` (scheduler stop, tenant lost or paused). Messages a poll had already
 * received when it was aborted still reach `accept` (the caller then returns them); messages SQS
 * had taken for a request the abort cut off (the request stays open on the SQS side for the rest of
 * its wait) reappear after the poll's visibility timeout, which the lanes keep short (10 s) for that
 * reason: never lost, never released twice, only late. A failed poll ends the watch; the lane may watch again after a
 * per-lane backoff (500 ms doubling to 30 s), which a success resets.
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
  watch: { readonly abort: AbortController; readonly done: Promise<void> } | undefined;
  pollFailures: number;
  /** Scheduler-clock ms before which a failed lane does not poll again. */
  pollRetryAt: number | undefined;
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
  /** Long polls sent (completed, failed or aborted) since start. */
  requests = 0;

  constructor(deps: LongPollDeps, options: LongPollOptions) {
    this.#deps = deps;
    this.#opts = options;
  }

  /** Lanes with a poll in flight. */
  get watching(): number {
    return this.#watching;
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
    const done = this.#loop(lane, queueUrl, abort.signal, accept).finally(() => {
      this.#watching -= 1;
      if (lane.watch?.abort === abort) lane.watch = undefined;
    });
    lane.watch = { abort, done };
  }

  /** Aborts the lane's poll and waits for it to end (what it had received has reached `accept`). */
  async stop(lane: Watchable): Promise<void> {
    const w = lane.watch;
    if (w === undefined) return;
    w.abort.abort();
    await w.done;
  }

  async #loop(
    lane: Watchable,
    queueUrl: string,
    signal: AbortSignal,
    accept: (messages: ReceivedMessage[]) => boolean,
  ): Promise<void> {
    while (!signal.aborted) {
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
        if (signal.aborted) return;
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
      lane.pollFailures = 0;
      lane.pollRetryAt = undefined;
      if (messages.length > 0 && !accept(messages)) return;
    }
  }
}
