/**
 * `maxQueued` as an admission limit over a pull queue (pure; the clock is a parameter).
 *
 * Sluice cannot refuse a message when it is sent (upstream writes straight to SQS), and the newest
 * messages are the last a receive returns, so "reject what arrives while the tenant is full" is
 * decided by time: each tick the scheduler observes the tenant's waiting count (its intake queue's
 * visible depth plus the messages it holds). While that count is at or above `maxQueued` the tenant
 * is full; a message whose SentTimestamp falls inside a full window is rejected with `queue_full`
 * when the scheduler receives it. Messages sent before the tenant was seen full keep their place and
 * are released as usual, so the oldest work is never the work shed.
 *
 * Bounds: the count is observed once per tick with the depth refreshed at most every
 * `depthRefreshMs` (1 s), so what arrives between the limit being reached and the observation is
 * admitted; SentTimestamp is SQS's clock and the window edges the scheduler's, so skew between them
 * moves the edges by as much; each scheduler keeps its own windows (several agree to within a tick),
 * and a restarted scheduler has none (messages sent during an earlier full window are admitted).
 */
export const MAX_WINDOWS = 32;

export interface FullWindow {
  readonly from: number;
  /** Undefined while the tenant is still full. */
  readonly to: number | undefined;
}

export class FullWindows {
  #windows: FullWindow[] = [];

  get windows(): readonly FullWindow[] {
    return this.#windows;
  }

  /** Records the tenant's waiting count at `now` against its limit (none: forget every window). */
  observe(now: number, queued: number, maxQueued: number | undefined): void {
    if (maxQueued === undefined) {
      this.#windows = [];
      return;
    }
    const open = this.#windows.at(-1);
    const isOpen = open !== undefined && open.to === undefined;
    if (queued >= maxQueued && !isOpen) {
      this.#windows = [...this.#windows, { from: now, to: undefined }].slice(-MAX_WINDOWS);
    } else if (queued < maxQueued && isOpen) {
      this.#windows = [...this.#windows.slice(0, -1), { from: open.from, to: now }];
    }
  }

  /** True when a message sent at `sentAt` arrived while the tenant was full. */
  isOverLimit(sentAt: number): boolean {
    return this.#windows.some((w) => sentAt > w.from && (w.to === undefined || sentAt <= w.to));
  }
}
