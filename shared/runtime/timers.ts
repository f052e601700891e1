/**
 * Timers as a port, so that components whose liveness depends on a timer being re-armed can be
 * tested with a scheduler that fires on its own clock (Node's timers run on libuv's loop time, cached
 * at the start of a loop iteration, which is not the clock `performance.now()` reads).
 */
export type TimerHandle = object;

export interface Timers {
  /** Calls `fn` once after `ms`; the timer never keeps the process alive on its own when `unref`. */
  set(fn: () => void, ms: number, opts?: { unref?: boolean }): TimerHandle;
  clear(handle: TimerHandle | undefined): void;
}

export const realTimers: Timers = {
  set(fn, ms, opts) {
    const t = setTimeout(fn, ms);
    if (opts?.unref) t.unref();
    return t;
  },
  clear(handle) {
    if (handle !== undefined) clearTimeout(handle as NodeJS.Timeout);
  },
};
