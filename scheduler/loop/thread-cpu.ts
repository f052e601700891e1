/**
 * CPU time of the calling thread (the event loop's), for timing short synchronous work such as one
 * `decide()`: on Linux the first field of `/proc/thread-self/schedstat` (ns on CPU; the kernel brings
 * the running thread's figure up to date on each read), read through one descriptor kept open (about
 * 7 µs a read). Unlike wall time it leaves out the time the thread was not running (preempted on a
 * loaded machine), and unlike `process.cpuUsage()` it leaves out other threads (V8's concurrent GC
 * helpers, libuv's pool); a GC pause the thread itself takes is counted. Elsewhere, and if the file
 * cannot be read, it falls back to `process.cpuUsage()` (process-wide) and says so in `source`.
 */
import { openSync, readSync } from "node:fs";

export type CpuClockSource = "thread" | "process";

export interface CpuClock {
  readonly source: CpuClockSource;
  /** CPU ms so far (only differences mean anything). */
  now(): number;
}

const processClock: CpuClock = {
  source: "process",
  now: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
};

/** The schedstat line's first field (ns) in ms, or undefined if the text is not a schedstat line. */
export function parseSchedstat(text: string): number | undefined {
  const first = text.trim().split(/\s+/)[0];
  if (first === undefined || !/^\d+$/.test(first)) return undefined;
  return Number(first) / 1e6;
}

/** A clock of the calling thread's CPU time (open it on the thread to be timed). */
export function threadCpuClock(): CpuClock {
  let fd: number;
  try {
    fd = openSync("/proc/thread-self/schedstat", "r");
  } catch {
    return processClock;
  }
  const buf = Buffer.alloc(128);
  const read = (): number | undefined => {
    try {
      return parseSchedstat(buf.toString("latin1", 0, readSync(fd, buf, 0, buf.length, 0)));
    } catch {
      return undefined;
    }
  };
  if (read() === undefined) return processClock;
  return { source: "thread", now: () => read() ?? processClock.now() };
}
