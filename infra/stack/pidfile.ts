import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

import type { ServiceName } from "./config.ts";

/**
 * What `up` records for each process it starts, so that `down` stops exactly that process group and
 * never an unrelated process that later reused the pid (the kernel start time must match too).
 */
export interface PidRecord {
  service: ServiceName;
  pid: number;
  /** Process group; the process was started as its leader, so it equals pid. */
  pgid: number;
  port: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); undefined where /proc is missing. */
  startTime?: number;
  startedAt: string;
  log: string;
  command: string[];
}

export function pidFilePath(runDir: string, service: ServiceName): string {
  return join(runDir, `${service}.json`);
}

export function parsePidRecord(text: string): PidRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const r = v as Record<string, unknown>;
  const positive = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x) && x > 0;
  if (r.service !== "localstack" && r.service !== "mongo") return undefined;
  if (!positive(r.pid) || !positive(r.pgid) || !positive(r.port)) return undefined;
  if (typeof r.log !== "string" || typeof r.startedAt !== "string") return undefined;
  if (!Array.isArray(r.command) || !r.command.every((c) => typeof c === "string")) return undefined;
  if (r.startTime !== undefined && typeof r.startTime !== "number") return undefined;
  return r as unknown as PidRecord;
}

export function readPidRecord(runDir: string, service: ServiceName): PidRecord | undefined {
  try {
    return parsePidRecord(readFileSync(pidFilePath(runDir, service), "utf8"));
  } catch {
    return undefined;
  }
}

export function writePidRecord(runDir: string, record: PidRecord): void {
  const file = pidFilePath(runDir, record.service);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + "\n");
  renameSync(tmp, file);
}

export function removePidRecord(runDir: string, service: ServiceName): void {
  rmSync(pidFilePath(runDir, service), { force: true });
}

/** Field 22 (starttime) of /proc/<pid>/stat; the command name in field 2 may contain spaces. */
export function parseStatStartTime(stat: string): number | undefined {
  const close = stat.lastIndexOf(")");
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(" ");
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const v = Number(fields[19]);
  return Number.isFinite(v) ? v : undefined;
}

export function processStartTime(pid: number): number | undefined {
  try {
    return parseStatStartTime(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie has exited; it only waits for its parent to reap it.
  return processState(pid) !== "Z";
}

/** The recorded process still runs and is the very process we started (not a reused pid). */
export function recordAlive(record: PidRecord): boolean {
  if (!pidAlive(record.pid)) return false;
  if (record.startTime === undefined) return true;
  return processStartTime(record.pid) === record.startTime;
}

/** Pids of live (non-zombie) processes in a process group, read from /proc. */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return pidAlive(pgid) ? [pgid] : [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[0] state, [1] ppid, [2] pgrp
      if (Number(fields[2]) === pgid && fields[0] !== "Z") out.push(Number(e));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}
