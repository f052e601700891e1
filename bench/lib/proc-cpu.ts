/**
 * CPU time of other processes, read from /proc (Linux): the sum of user + system time of every live
 * process of a process group (`utime` + `stime`, fields 14 and 15 of /proc/<pid>/stat, in clock ticks
 * of 1/100 s — Linux's USER_HZ). The benchmarks read the local stack's services this way (their
 * process groups come from `ensureStack`), beside their own `process.cpuUsage()`. Undefined where
 * /proc cannot be read.
 */
import { readFileSync } from "node:fs";
import { groupMembers } from "../../infra/stack/pidfile.ts";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU ms used so far by one process, from its /proc stat line; undefined if it cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  return statCpuMs(stat);
}

/** utime + stime of a /proc/<pid>/stat line, in ms (the command name may hold spaces and parens). */
export function statCpuMs(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name: [0] state, [1] ppid, ... [11] utime, [12] stime (fields 14 and 15 of the line).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** CPU ms used so far by the live processes of a process group; undefined if none can be read. */
export function groupCpuMs(pgid: number): number | undefined {
  let total: number | undefined;
  for (const pid of groupMembers(pgid)) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) total = (total ?? 0) + ms;
  }
  return total;
}
