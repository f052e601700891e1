import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { dirname } from "node:path";

import { groupMembers, pidAlive } from "./pidfile.ts";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One progress line per phase, with seconds since the command started, on stderr. */
export class Progress {
  private readonly t0 = performance.now();
  constructor(private readonly quiet = false) {}
  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }
  line(msg: string): void {
    if (!this.quiet) process.stderr.write(`[stack ${this.elapsed().toFixed(1).padStart(5)}s] ${msg}\n`);
  }
}

/** A failed step: names it and the log to read; the message carries the log's last lines. */
export class StackError extends Error {
  constructor(
    readonly step: string,
    readonly logFile: string | undefined,
    detail: string,
  ) {
    const tail = logFile ? tailFile(logFile, 20) : "";
    super(
      `${step} failed: ${detail}` +
        (logFile ? `\n  log: ${logFile}\n  last lines:\n${indent(tail || "(log is empty)")}` : ""),
    );
    this.name = "StackError";
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    | ${l}`)
    .join("\n");
}

export function tailFile(file: string, lines: number): string {
  if (!existsSync(file)) return "";
  const text = readFileSync(file, "utf8").replace(/\n+$/, "");
  return text.split("\n").slice(-lines).join("\n");
}

function openLog(file: string): number {
  mkdirSync(dirname(file), { recursive: true });
  return openSync(file, "a");
}

export interface RunResult {
  code: number;
  timedOut: boolean;
}

/** Runs a command to completion with stdout/stderr appended to a log file. */
export function runLogged(
  cmd: string[],
  opts: { log: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<RunResult> {
  const fd = openLog(opts.log);
  writeSync(fd, `\n$ ${cmd.join(" ")}\n`);
  return new Promise((done) => {
    const [bin, ...args] = cmd;
    const child = spawn(bin as string, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", fd, fd],
    });
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, opts.timeoutMs)
      : undefined;
    const finish = (code: number): void => {
      if (timer) clearTimeout(timer);
      closeSync(fd);
      done({ code, timedOut });
    };
    child.on("error", (err) => {
      writeSync(fd, `${err.message}\n`);
      finish(127);
    });
    child.on("exit", (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** Runs a short command quietly; resolves to exit code (124 on timeout, 127 if missing). */
export function probe(cmd: string[], timeoutMs: number): Promise<{ code: number; stdout: string }> {
  return new Promise((done) => {
    const [bin, ...args] = cmd;
    const child = spawn(bin as string, args, { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      done({ code: 124, stdout });
    }, timeoutMs);
    child.on("error", () => {
      clearTimeout(timer);
      done({ code: 127, stdout });
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code: code ?? 1, stdout });
    });
  });
}

/**
 * Starts a long-running process detached in its own process group (pgid = pid), output appended to
 * a log file, not tied to this Node process. The ChildProcess is returned so that the caller can
 * notice an early exit while it waits for health; it is unref'ed.
 */
export function spawnDetached(
  cmd: string[],
  opts: { log: string; env: NodeJS.ProcessEnv; cwd: string },
): { child: ChildProcess; exited: () => { code: number | null; signal: string | null } | undefined } {
  const fd = openLog(opts.log);
  writeSync(fd, `\n=== ${new Date().toISOString()} starting: ${cmd.join(" ")}\n`);
  const [bin, ...args] = cmd;
  const child = spawn(bin as string, args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  let exit: { code: number | null; signal: string | null } | undefined;
  child.on("exit", (code, signal) => (exit = { code, signal }));
  child.on("error", (err) => (exit = { code: 127, signal: err.message }));
  child.unref();
  return { child, exited: () => exit };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // group already gone
  }
}

/**
 * SIGTERM to the whole process group, wait up to graceMs, then SIGKILL, and wait until no member
 * is left. Returns what was needed and whether anything survived.
 */
export async function stopGroup(
  pgid: number,
  graceMs = 10_000,
): Promise<{ killed: boolean; survivors: number[] }> {
  signalGroup(pgid, "SIGTERM");
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline) {
    if (groupMembers(pgid).length === 0 && !pidAlive(pgid)) return { killed: false, survivors: [] };
    await sleep(100);
  }
  signalGroup(pgid, "SIGKILL");
  const hard = performance.now() + 5_000;
  while (performance.now() < hard) {
    if (groupMembers(pgid).length === 0) return { killed: true, survivors: [] };
    await sleep(100);
  }
  return { killed: true, survivors: groupMembers(pgid) };
}

/** True if nothing listens on 127.0.0.1:port (we can bind it ourselves). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once("error", () => done(false));
    srv.listen({ port, host: "127.0.0.1", exclusive: true }, () => srv.close(() => done(true)));
  });
}

/** A port the OS considers free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => done(port));
    });
  });
}
