/**
 * A tick's intake I/O (`fair-scheduler.ts`, step 1): each lane's I/O runs under a shared concurrency
 * limit; the tick waits for it at most `waitMs`, not at all for a lane whose I/O is still running
 * from an earlier tick, backing off after a failure, or slow last time (so one slow queue never holds
 * up the other tenants), and no longer once `wake()` is called (a long poll brought messages: the
 * tenant that woke up is decided for now, not after the slowest other lane, whose I/O goes on and is
 * used by a later tick).
 */
import pLimit from "p-limit";
import type { TenantLane } from "./intake-lanes.ts";

export class TickIo {
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #waitMs: number;
  /** Ends the wait in progress, if any. */
  #wake: (() => void) | undefined;

  constructor(options: { readonly concurrency: number; readonly waitMs: number }) {
    this.#limit = pLimit(Math.max(1, Math.floor(options.concurrency)));
    this.#waitMs = options.waitMs;
  }

  /**
   * Starts a lane's tick I/O unless it is still running from an earlier tick or backing off after a
   * failure; adds it to `waited` unless the lane was slow last time.
   */
  start(lane: TenantLane, run: () => Promise<void>, waited: Promise<void>[], now: number): void {
    if (lane.io !== undefined || (lane.ioRetryAt !== undefined && now < lane.ioRetryAt)) return;
    const started = performance.now();
    const p = this.#limit(run).finally(() => {
      lane.io = undefined;
      lane.slow = performance.now() - started > this.#waitMs;
    });
    lane.io = p;
    if (!lane.slow) waited.push(p);
  }

  /** Waits for `waited`, at most `waitMs`, and no longer once `wake()` is called. */
  async wait(waited: readonly Promise<void>[]): Promise<void> {
    if (waited.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((r) => {
      timer = setTimeout(r, this.#waitMs);
      this.#wake = r;
    });
    await Promise.race([Promise.all(waited), budget]);
    this.#wake = undefined;
    clearTimeout(timer);
  }

  /** Ends the wait in progress (no-op when the tick is not waiting). */
  wake(): void {
    this.#wake?.();
  }
}
