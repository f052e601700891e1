/**
 * The scheduler's view of each tenant's intake queue: a small buffer of received messages (see
 * `intake-buffer.ts`), an estimate of what is still queued beyond it, and the receives that keep both
 * fresh without spending a request per tenant per tick:
 *
 * - Backlog = buffered messages (per priority) + `unbuffered`, the queue's ApproximateNumberOfMessages
 *   (visible only: messages buffered here or by another scheduler are in flight), refreshed every
 *   `depthRefreshMs`, lowered by each receive, and set to 0 when a receive comes back short.
 * - An active tenant's buffer is topped up to `bufferSize` when it runs low and the queue may hold
 *   more: at once if `unbuffered > 0`, otherwise at most every `idlePollMs` (how a quiet tenant's new
 *   message is noticed quickly without a depth call per tick).
 * - A release that needs more messages than are buffered receives on demand (`fill`).
 * - Buffered messages are held invisible: their visibility is extended before it lapses (an extension
 *   does not count as a receive, so held work never drifts toward the DLQ's maxReceiveCount).
 *   `returnAll` makes them visible again (at stop, or when a tenant loses its quota or its owner), and
 *   lets the lane's long poll run out rather than abort it (`letGo`, see `long-poll.ts`).
 *
 * Idle and backlogged lanes (ADR 0023): with `longPollSeconds > 0`, a lane whose buffer and queue
 * estimate are both empty after a receive came back short is *idle*: the tick stops reading its depth
 * and receiving for it, and a long poll (`long-poll.ts`) watches its queue instead. A poll that
 * returns messages puts them in the buffer, calls `onMessages` (the release loop wakes) and makes the
 * lane *backlogged* again: depth reads and short receives as above, until it drains. A long poll's
 * short answer is a fresh depth reading (it asked every SQS server), so the pickup costs no further
 * request. `longPollSeconds: 0` keeps every lane backlogged: short polls every `idlePollMs`.
 */
import type { Logger } from "pino";
import type { ReceivedMessage, SqsPort } from "../../shared/aws/sqs-port.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { TenantQueues } from "../intake/release-message.ts";
import type { Backlog } from "../quota/priority.ts";
import { FullWindows } from "../quota/queue-limit.ts";
import { IntakeBuffer } from "./intake-buffer.ts";
import { LongPoller } from "./long-poll.ts";
import type { Watchable } from "./long-poll.ts";
import type { BufferedMessage } from "./intake-buffer.ts";
import { messagePriority } from "./message-priority.ts";

export interface IntakeLaneOptions {
  /** Messages buffered per tenant (one receive batch); 1-10, default 10. */
  readonly bufferSize: number;
  /** Visibility timeout of received intake messages while buffered; default 60 s. */
  readonly visibilitySeconds: number;
  /** Least time between receives of a tenant whose last receive came back short; default 200 ms. */
  readonly idlePollMs: number;
  /** Least time between ApproximateNumberOfMessages reads of one intake queue; default 1000 ms. */
  readonly depthRefreshMs: number;
  /** WaitTimeSeconds of an idle tenant's long poll, 0-20; 0 = no long polls (short polls); default 20. */
  readonly longPollSeconds: number;
  /**
   * VisibilityTimeout of what a long poll receives, 1 to `visibilitySeconds`; default 10 s. Short on
   * purpose: a poll the client abandons (aborted at a hand-over, a pause or a stop; its process killed)
   * stays open on the SQS side for the rest of its wait and still takes the next message, which then
   * stays invisible for this long. The next tick extends what a poll delivered to `visibilitySeconds`.
   */
  readonly longPollVisibilitySeconds: number;
}

export const DEFAULT_INTAKE_LANE_OPTIONS: IntakeLaneOptions = {
  bufferSize: 10,
  visibilitySeconds: 60,
  idlePollMs: 200,
  depthRefreshMs: 1_000,
  longPollSeconds: 20,
  longPollVisibilitySeconds: 10,
};

export interface IntakeLaneDeps {
  readonly sqs: SqsPort;
  readonly intakeQueues: (tenant: TenantId) => Promise<TenantQueues>;
  readonly now: () => number;
  readonly log: Logger;
  /** Client for long polls (sized for one open request per idle tenant); default `sqs`. */
  readonly longPollSqs?: SqsPort;
  /** A long poll brought messages for the tenant (wake the release loop). */
  readonly onMessages?: (tenant: TenantId) => void;
}

export type LaneMode = "idle" | "backlogged";

export class TenantLane implements Watchable {
  readonly buffer = new IntakeBuffer();
  queues: TenantQueues | undefined;
  /** Estimated messages on the queue, visible, not buffered here. */
  unbuffered = 0;
  depthAt: number | undefined;
  /** When a receive last came back with fewer messages than asked. */
  shortAt: number | undefined;
  queueErrorAt: number | undefined;
  /** When the tenant was seen at or over `maxQueued` (`quota/queue-limit.ts`). */
  readonly full = new FullWindows();
  /** Received messages sent while the tenant was full: rejected (`queue_full`), never buffered. */
  overLimit: ReceivedMessage[] = [];
  /** Idle: watched by a long poll, no tick I/O. Backlogged (and at first): depth reads, short receives. */
  mode: LaneMode = "backlogged";
  watch: Watchable["watch"];
  pollFailures = 0;
  pollRetryAt: number | undefined;
  /** The tick's I/O for this lane while in flight (a slow queue's I/O is not waited for by later ticks). */
  io: Promise<void> | undefined;
  /** The lane's last tick I/O took longer than the tick waits: later ticks do not wait for it. */
  slow = false;
  ioFailures = 0;
  /** Scheduler-clock ms before which a lane whose tick I/O failed gets none. */
  ioRetryAt: number | undefined;

  constructor(readonly tenantId: TenantId) {}

  backlog(): Backlog {
    const c = this.buffer.counts();
    return { high: c.high, normal: c.normal + this.unbuffered, low: c.low };
  }

  get total(): number {
    return this.buffer.size + this.unbuffered;
  }
}

export class IntakeLanes {
  readonly #deps: IntakeLaneDeps;
  readonly #opts: IntakeLaneOptions;
  readonly #lanes = new Map<TenantId, TenantLane>();
  readonly #poller: LongPoller;

  constructor(deps: IntakeLaneDeps, options: Partial<IntakeLaneOptions> = {}) {
    this.#deps = deps;
    const o = { ...DEFAULT_INTAKE_LANE_OPTIONS, ...options };
    this.#opts = {
      ...o,
      bufferSize: Math.min(10, Math.max(1, Math.floor(o.bufferSize))),
      longPollSeconds: Math.min(20, Math.max(0, Math.floor(o.longPollSeconds))),
      longPollVisibilitySeconds: Math.min(
        o.visibilitySeconds,
        Math.max(1, Math.floor(o.longPollVisibilitySeconds)),
      ),
    };
    this.#poller = new LongPoller(
      { sqs: deps.longPollSqs ?? deps.sqs, now: deps.now, log: deps.log },
      {
        waitSeconds: this.#opts.longPollSeconds,
        visibilitySeconds: this.#opts.longPollVisibilitySeconds,
        maxMessages: this.#opts.bufferSize,
      },
    );
  }

  /**
   * Lanes by mode, lanes watched by a long poll, polls let go and still open, long polls sent so far
   * (for metrics and the bench).
   */
  stats(): { idle: number; backlogged: number; watching: number; lettingGo: number; longPolls: number } {
    let idle = 0;
    for (const lane of this.#lanes.values()) if (lane.mode === "idle") idle += 1;
    return {
      idle,
      backlogged: this.#lanes.size - idle,
      watching: this.#poller.watching,
      lettingGo: this.#poller.lettingGo,
      longPolls: this.#poller.requests,
    };
  }

  get options(): IntakeLaneOptions {
    return this.#opts;
  }

  lane(tenant: TenantId): TenantLane {
    let lane = this.#lanes.get(tenant);
    if (lane === undefined) this.#lanes.set(tenant, (lane = new TenantLane(tenant)));
    return lane;
  }

  get(tenant: TenantId): TenantLane | undefined {
    return this.#lanes.get(tenant);
  }

  tenants(): TenantId[] {
    return [...this.#lanes.keys()];
  }

  /** Stops tracking a tenant; its buffered messages (and what its long poll got) become visible again. */
  async forget(tenant: TenantId): Promise<void> {
    const lane = this.#lanes.get(tenant);
    this.#lanes.delete(tenant);
    if (lane === undefined) return;
    await lane.io?.catch(() => undefined);
    await this.returnAll(lane);
  }

  /** True when the lane needs nothing from this tick: idle, watched, holding nothing. */
  isQuiet(lane: TenantLane): boolean {
    return (
      lane.mode === "idle" &&
      lane.watch !== undefined &&
      lane.buffer.size === 0 &&
      lane.overLimit.length === 0 &&
      lane.queues !== undefined
    );
  }

  /**
   * After the tick's I/O: a backlogged lane that holds nothing and whose queue looks empty (its last
   * receive came back short) becomes idle; an idle lane is watched (again, after a failed poll's
   * backoff). No-op without long polls.
   */
  settle(lane: TenantLane): void {
    if (this.#opts.longPollSeconds === 0 || lane.queues === undefined) return;
    if (
      lane.mode === "backlogged" &&
      lane.buffer.size === 0 &&
      lane.overLimit.length === 0 &&
      lane.unbuffered === 0 &&
      lane.shortAt !== undefined
    )
      lane.mode = "idle";
    if (lane.mode !== "idle") return;
    const url = lane.queues.queueUrl;
    this.#poller.watch(lane, url, (messages) => {
      this.#accept(lane, messages, this.#opts.bufferSize, true);
      lane.mode = "backlogged";
      this.#deps.onMessages?.(lane.tenantId);
      return false;
    });
  }

  /**
   * Ends the lane's long poll without cutting it short (`LongPoller.letGo`): what it still brings is
   * made visible again at once. The lane is backlogged (its next tick reads the queue).
   */
  letGo(lane: TenantLane): void {
    this.#poller.letGo(lane, (messages) => this.#returnLate(lane, messages));
    lane.mode = "backlogged";
  }

  /** Aborts the polls let go and still open (the scheduler stops); waits for them to end. */
  abortLetGo(): Promise<void> {
    return this.#poller.abortAll();
  }

  /** Makes messages a let-go poll brought visible again (best effort: else they lapse in 10 s). */
  async #returnLate(lane: TenantLane, messages: readonly ReceivedMessage[]): Promise<void> {
    const url = lane.queues?.queueUrl;
    if (url === undefined) return;
    const results = await Promise.allSettled(
      messages.map((m) => this.#deps.sqs.changeVisibility(url, m.receiptHandle, 0)),
    );
    const failed = results.filter((r) => r.status === "rejected").length;
    if (failed > 0)
      this.#deps.log.warn(
        { tenantId: lane.tenantId, failed, visibleInSeconds: this.#opts.longPollVisibilitySeconds },
        "could not return what a let-go long poll brought; it becomes visible when its visibility lapses",
      );
  }

  /** Resolves the tenant's intake queue (cached); false (logged at most once a minute) if it has none. */
  async resolve(lane: TenantLane): Promise<boolean> {
    if (lane.queues !== undefined) return true;
    const now = this.#deps.now();
    if (lane.queueErrorAt !== undefined && now - lane.queueErrorAt < 60_000) return false;
    try {
      lane.queues = await this.#deps.intakeQueues(lane.tenantId);
      lane.queueErrorAt = undefined;
      return true;
    } catch (err) {
      lane.queueErrorAt = now;
      this.#deps.log.warn(
        { err, tenantId: lane.tenantId },
        "tenant has a quota but no intake queue (provision it)",
      );
      return false;
    }
  }

  /** Reads the queue's depth if the last read is older than `depthRefreshMs` (or `force`). */
  async refreshDepth(lane: TenantLane, force = false): Promise<void> {
    const now = this.#deps.now();
    if (lane.queues === undefined) return;
    if (!force && lane.depthAt !== undefined && now - lane.depthAt < this.#opts.depthRefreshMs) return;
    const depth = await this.#deps.sqs.approximateDepth(lane.queues.queueUrl);
    lane.unbuffered = Math.max(0, depth.visible);
    lane.depthAt = now;
  }

  /** Receives up to `max` (≤10) messages into the buffer; returns how many arrived. */
  async receive(lane: TenantLane, max: number): Promise<number> {
    if (lane.queues === undefined || max <= 0) return 0;
    const want = Math.min(10, Math.floor(max));
    const messages = await this.#deps.sqs.receive(lane.queues.queueUrl, {
      maxMessages: want,
      waitSeconds: 0,
      visibilityTimeout: this.#opts.visibilitySeconds,
    });
    this.#accept(lane, messages, want, false);
    return messages.length;
  }

  /** Buffers received messages (those sent while the tenant was full go to `overLimit`). */
  #accept(lane: TenantLane, messages: readonly ReceivedMessage[], want: number, longPoll: boolean): void {
    const now = this.#deps.now();
    const over = messages.filter((m) => lane.full.isOverLimit(m.sentAt));
    lane.overLimit.push(...over);
    // A long poll's messages are invisible for `longPollVisibilitySeconds` only: `extendExpiring`
    // gives them the full time once half of that is left (most are released well before: a message
    // released in the tick that follows its poll costs no extension).
    const seconds = longPoll ? this.#opts.longPollVisibilitySeconds : this.#opts.visibilitySeconds;
    lane.buffer.add(messages.filter((m) => !over.includes(m)).map((m) => this.#entry(m, now, seconds)));
    lane.unbuffered = Math.max(0, lane.unbuffered - messages.length);
    if (messages.length < want) {
      lane.unbuffered = 0;
      lane.shortAt = now;
      // A long poll asks every SQS server: its short answer is as good as a depth read.
      if (longPoll) lane.depthAt = now;
    }
  }

  /** Receives without buffering (a suspended tenant's messages, which go straight to the DLQ). */
  async receiveRaw(lane: TenantLane): Promise<ReceivedMessage[]> {
    if (lane.queues === undefined || !this.#pollDue(lane)) return [];
    const messages = await this.#deps.sqs.receive(lane.queues.queueUrl, {
      maxMessages: 10,
      waitSeconds: 0,
      visibilityTimeout: this.#opts.visibilitySeconds,
    });
    if (messages.length < 10) lane.shortAt = this.#deps.now();
    return messages;
  }

  /** Tops the buffer up when it is below half full and the queue may hold more (see the module note). */
  async refill(lane: TenantLane): Promise<void> {
    const room = this.#opts.bufferSize - lane.buffer.size;
    if (room <= 0 || lane.buffer.size > this.#opts.bufferSize / 2) return;
    if (lane.unbuffered > 0 || this.#pollDue(lane)) await this.receive(lane, room);
  }

  /** Receives until `want` messages are buffered or the queue comes back short. */
  async fill(lane: TenantLane, want: number): Promise<void> {
    while (lane.buffer.size < want) {
      const asked = Math.min(10, want - lane.buffer.size);
      const got = await this.receive(lane, asked);
      if (got < asked) return;
    }
  }

  /** Extends the visibility of buffered messages with half or less of their granted visibility left. */
  async extendExpiring(lane: TenantLane): Promise<void> {
    const now = this.#deps.now();
    const ms = this.#opts.visibilitySeconds * 1000;
    for (const lost of lane.buffer.dropExpired(now)) {
      this.#deps.log.warn(
        { tenantId: lane.tenantId, messageId: lost.message.messageId },
        "buffered message's visibility lapsed; dropped from the buffer",
      );
    }
    if (lane.queues === undefined) return;
    for (const entry of lane.buffer.expiring(now, ms)) {
      try {
        await this.#deps.sqs.changeVisibility(
          lane.queues.queueUrl,
          entry.message.receiptHandle,
          this.#opts.visibilitySeconds,
        );
        entry.visibleUntil = this.#deps.now() + ms;
        entry.grantedMs = ms;
      } catch (err) {
        lane.buffer.remove(entry);
        this.#deps.log.warn(
          { err, tenantId: lane.tenantId },
          "could not extend a buffered message; dropped from the buffer",
        );
      }
    }
  }

  /** Records the tenant's waiting count against `maxQueued` now (see `quota/queue-limit.ts`). */
  observeLimit(lane: TenantLane, maxQueued: number | undefined): void {
    lane.full.observe(this.#deps.now(), lane.total, maxQueued);
  }

  /**
   * Makes every buffered message visible again (best effort: otherwise its visibility lapses) and lets
   * the lane's long poll go (what it still brings is returned too, `letGo`). The lane is backlogged
   * afterwards (its next tick reads the queue again).
   */
  async returnAll(lane: TenantLane): Promise<void> {
    this.letGo(lane);
    const pending = lane.overLimit.map((message) => ({ message }));
    lane.overLimit = [];
    const held = [...lane.buffer.drain(), ...pending];
    if (lane.queues === undefined || held.length === 0) return;
    const url = lane.queues.queueUrl;
    await Promise.allSettled(
      held.map((e) => this.#deps.sqs.changeVisibility(url, e.message.receiptHandle, 0)),
    );
    lane.unbuffered += held.length;
  }

  #pollDue(lane: TenantLane): boolean {
    return lane.shortAt === undefined || this.#deps.now() - lane.shortAt >= this.#opts.idlePollMs;
  }

  #entry(message: ReceivedMessage, now: number, visibilitySeconds: number): BufferedMessage {
    return {
      message,
      priority: messagePriority(message),
      receivedAt: now,
      visibleUntil: now + visibilitySeconds * 1000,
      grantedMs: visibilitySeconds * 1000,
      failures: 0,
    };
  }
}
