/**
 * How long the calling thread (the event loop's) waited for a CPU, for telling a short synchronous
 * call's own time from time it was preempted (the machine busy with other processes): on Linux the
 * second and third fields of `/proc/thread-self/schedstat` — nanoseconds spent runnable but waiting
 * on a run queue, and the number of times the thread was put on a CPU — which the kernel brings up to
 * date each time the thread is scheduled in, so a read right after a call counts any wait inside it.
 * (The first field, time on CPU, is only brought up to date at a context switch or a timer tick on
 * some kernels, which makes it useless for sub-millisecond calls; `process.cpuUsage()` counts every
 * thread of the process, V8's concurrent GC helpers included.) Read through one descriptor kept open
 * (about 7 µs a read). Elsewhere `available` is false and every read is undefined.
 */
import { openSync, readSync } from "node:fs";

export interface RunQueueReading {
  /** Time spent runnable and waiting for a CPU so far (ms; only differences mean anything). */
  readonly waitMs: number;
  /** Times the thread was put on a CPU so far. */
  readonly switches: number;
}

export interface RunQueueClock {
  readonly available: boolean;
  read(): RunQueueReading | undefined;
}

/** A schedstat line (`<ns on cpu> <ns waiting> <timeslices>`) as a reading; undefined if it is not one. */
export function parseSchedstat(text: string): RunQueueReading | undefined {
  const f = text.trim().split(/\s+/);
  if (f.length < 3 || !f.slice(0, 3).every((x) => /^\d+$/.test(x))) return undefined;
  return { waitMs: Number(f[1]) / 1e6, switches: Number(f[2]) };
}

const unavailable: RunQueueClock = { available: false, read: () => undefined };

/** The calling thread's run-queue clock (open it on the thread to be watched). */
export function runQueueClock(): RunQueueClock {
  let fd: number;
  try {
    fd = openSync("/proc/thread-self/schedstat", "r");
  } catch {
    return unavailable;
  }
  const buf = Buffer.alloc(128);
  const read = (): RunQueueReading | undefined => {
    try {
      return parseSchedstat(buf.toString("latin1", 0, readSync(fd, buf, 0, buf.length, 0)));
    } catch {
      return undefined;
    }
  };
  return read() === undefined ? unavailable : { available: true, read };
}
