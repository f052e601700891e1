import type { ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import { PRIORITIES } from "../quota/priority.ts";
import type { Backlog, Priority } from "../quota/priority.ts";

/** One intake message the scheduler has received and holds (invisible on the queue) until it releases it. */
export interface BufferedMessage {
  readonly message: ReceivedMessage;
  readonly priority: Priority;
  /** Epoch ms (scheduler clock) of the receive. */
  readonly receivedAt: number;
  /** Epoch ms when the queue makes the message visible again unless its visibility is extended. */
  visibleUntil: number;
  /**
   * The visibility last granted (ms): by the receive, or by the last extension. Absent: the caller's
   * default. A message is extended once half of it is left (`expiring`).
   */
  grantedMs?: number;
  /** Unexpected errors its release has thrown so far (see `intake/failure-policy.ts`). */
  failures: number;
}

/**
 * A small per-tenant buffer of received intake messages, one FIFO per priority (pure; the clock is a
 * parameter). SQS has no priority order, so priorities are honoured among the messages buffered (up to
 * one receive batch per tenant), which is what `decide()` sees as the tenant's per-priority backlog.
 */
export class IntakeBuffer {
  readonly #lanes: Record<Priority, BufferedMessage[]> = { high: [], normal: [], low: [] };

  get size(): number {
    return this.#lanes.high.length + this.#lanes.normal.length + this.#lanes.low.length;
  }

  /** Adds received messages; a message already held (its visibility lapsed and it came back) is replaced. */
  add(entries: readonly BufferedMessage[]): void {
    for (const entry of entries) {
      this.#removeId(entry.message.messageId);
      this.#lanes[entry.priority].push(entry);
    }
  }

  counts(): Backlog {
    return { high: this.#lanes.high.length, normal: this.#lanes.normal.length, low: this.#lanes.low.length };
  }

  /** SentTimestamp of the oldest buffered message (the tenant's head of line), if any. */
  oldestSentAt(): number | undefined {
    let oldest: number | undefined;
    for (const p of PRIORITIES) {
      for (const e of this.#lanes[p])
        if (oldest === undefined || e.message.sentAt < oldest) oldest = e.message.sentAt;
    }
    return oldest;
  }

  /**
   * Removes and returns the oldest message of `priority`, or of the nearest class that has one (higher
   * classes first): the decision's priority is a preference, its tenant is what matters.
   */
  take(priority: Priority): BufferedMessage | undefined {
    const order: readonly Priority[] = [priority, ...PRIORITIES.filter((p) => p !== priority)];
    for (const p of order) {
      const entry = this.#lanes[p].shift();
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  /** Puts a taken message back at the head of its class (a release that could not proceed). */
  putBack(entry: BufferedMessage): void {
    this.#lanes[entry.priority].unshift(entry);
  }

  /**
   * Puts back a message whose release threw, behind every other message of its class: a message
   * that keeps failing never stands at the head of its tenant's line.
   */
  requeue(entry: BufferedMessage): void {
    this.#removeId(entry.message.messageId);
    this.#lanes[entry.priority].push(entry);
  }

  /**
   * Messages with half or less of their granted visibility left at `now` (to extend);
   * `defaultGrantedMs` for a message that does not say what it was granted.
   */
  expiring(now: number, defaultGrantedMs: number): BufferedMessage[] {
    return this.all().filter((e) => e.visibleUntil - now <= (e.grantedMs ?? defaultGrantedMs) / 2);
  }

  /** Drops messages whose visibility already ended (the queue may have handed them to someone else). */
  dropExpired(now: number): BufferedMessage[] {
    const dropped: BufferedMessage[] = [];
    for (const p of PRIORITIES) {
      const keep: BufferedMessage[] = [];
      for (const e of this.#lanes[p]) (e.visibleUntil <= now ? dropped : keep).push(e);
      this.#lanes[p] = keep;
    }
    return dropped;
  }

  /** Removes a message (e.g. one whose visibility could not be extended). */
  remove(entry: BufferedMessage): boolean {
    return this.#removeId(entry.message.messageId);
  }

  all(): BufferedMessage[] {
    return [...this.#lanes.high, ...this.#lanes.normal, ...this.#lanes.low];
  }

  /** Empties the buffer and returns what it held. */
  drain(): BufferedMessage[] {
    const all = this.all();
    for (const p of PRIORITIES) this.#lanes[p] = [];
    return all;
  }

  #removeId(messageId: string): boolean {
    for (const p of PRIORITIES) {
      const i = this.#lanes[p].findIndex((e) => e.message.messageId === messageId);
      if (i >= 0) {
        this.#lanes[p].splice(i, 1);
        return true;
      }
    }
    return false;
  }
}
