import type { Logger } from "pino";
import type { ReceivedMessage, SqsPort } from "../shared/aws/sqs-port.ts";

export interface HeldMessagesDeps {
  sqs: SqsPort;
  queueUrl: string;
  visibilityTimeoutSeconds: number;
  log: Logger;
  /** Monotonic ms; default `performance.now`. */
  now?: () => number;
}

interface Held {
  readonly message: ReceivedMessage;
  /** When its visibility timeout was last (re)started: the receive, or the last extension. */
  since: number;
  timer: NodeJS.Timeout | undefined;
  /** An extension in flight (awaited before a give-back, which must land last). */
  extending: Promise<void> | undefined;
}

/**
 * Work messages a worker received ahead of a free slot (prefetch), oldest first. Nothing is claimed
 * for them: the job is claimed (leased) only when a slot starts it. Each one's visibility timeout is
 * extended (to the full timeout again) once half of it has passed while held, so a held message never
 * lapses and reappears; one taken after more than a tenth of its timeout is extended as it starts,
 * so a slot always starts with at least 90 % of a fresh receive's visibility (the job's keep-alives
 * are paced for a fresh one). `releaseAll()` makes everything still held visible again at once.
 */
export class HeldMessages {
  readonly #held: Held[] = [];
  readonly #now: () => number;
  readonly #timeoutMs: number;

  constructor(private readonly deps: HeldMessagesDeps) {
    this.#now = deps.now ?? (() => performance.now());
    this.#timeoutMs = deps.visibilityTimeoutSeconds * 1000;
  }

  get size(): number {
    return this.#held.length;
  }

  hold(message: ReceivedMessage, receivedAt = this.#now()): void {
    const h: Held = { message, since: receivedAt, timer: undefined, extending: undefined };
    this.#arm(h);
    this.#held.push(h);
  }

  /** The oldest held message, to start in a slot now. */
  take(): ReceivedMessage | undefined {
    const h = this.#held.shift();
    if (!h) return undefined;
    clearTimeout(h.timer);
    if (this.#now() - h.since > this.#timeoutMs / 10) this.#extend(h);
    return h.message;
  }

  /** Makes every held message visible again (visibility 0), for another worker. Never throws. */
  async releaseAll(): Promise<void> {
    const all = this.#held.splice(0);
    for (const h of all) clearTimeout(h.timer);
    await Promise.allSettled(all.map((h) => h.extending));
    await Promise.allSettled(
      all.map((h) => this.deps.sqs.changeVisibility(this.deps.queueUrl, h.message.receiptHandle, 0)),
    );
  }

  #arm(h: Held): void {
    const due = h.since + this.#timeoutMs / 2 - this.#now();
    h.timer = setTimeout(() => this.#extend(h), Math.max(0, due));
    h.timer.unref();
  }

  #extend(h: Held): void {
    const at = this.#now();
    const p = this.deps.sqs
      .changeVisibility(this.deps.queueUrl, h.message.receiptHandle, this.deps.visibilityTimeoutSeconds)
      .then(
        () => {
          h.since = at;
          if (this.#held.includes(h)) this.#arm(h);
        },
        (err: unknown) => {
          // Lapsed or deleted: another worker may have it now. A held one is dropped, never started here.
          const i = this.#held.indexOf(h);
          if (i >= 0) this.#held.splice(i, 1);
          this.deps.log.warn(
            { err, messageId: h.message.messageId, held: i >= 0 },
            "could not extend a prefetched work message's visibility",
          );
        },
      )
      .finally(() => {
        if (h.extending === p) h.extending = undefined;
      });
    h.extending = p;
  }
}
