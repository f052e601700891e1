/**
 * The parent's side of the benchmark's scheduler processes (`scheduler-child.ts`): fork one replica,
 * ask it over IPC, stop it (SIGKILL after 20 s). Each replica is a real process, as in production
 * and in `test/integration/scheduler-shards-process.test.ts`, so its CPU is that process's own.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import type { ChildReport, ChildRequest } from "./scheduler-child.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export class SchedulerReplica {
  readonly id: string;
  readonly #child: ChildProcess;

  constructor(id: string, env: NodeJS.ProcessEnv) {
    this.id = id;
    this.#child = fork(join(import.meta.dirname, "scheduler-child.ts"), [], {
      // BENCH_CPU_PROF_DIR / BENCH_HEAP_PROF_DIR: each replica writes a V8 CPU / sampling heap
      // profile there when it stops.
      execArgv: [
        "--import",
        "tsx",
        ...(env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${env.BENCH_CPU_PROF_DIR}`] : []),
        ...(env.BENCH_HEAP_PROF_DIR ? ["--heap-prof", `--heap-prof-dir=${env.BENCH_HEAP_PROF_DIR}`] : []),
      ],
      env: { ...env, SLUICE_SCHEDULER_ID: id },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
  }

  async #ask<T>(req: ChildRequest | undefined, kind: string): Promise<T> {
    const reply = new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`scheduler process ${this.id} exited (${code})`));
      const onMessage = (m: { kind: string }) => {
        if (m.kind !== kind) return;
        this.#child.off("message", onMessage);
        this.#child.off("exit", onExit);
        resolve(m as T);
      };
      this.#child.on("message", onMessage);
      this.#child.once("exit", onExit);
    });
    if (req !== undefined) this.#child.send(req);
    return reply;
  }

  started(): Promise<unknown> {
    return this.#ask(undefined, "started");
  }

  reset(): Promise<unknown> {
    return this.#ask({ kind: "reset" }, "reset");
  }

  report(): Promise<ChildReport> {
    return this.#ask({ kind: "report" }, "report");
  }

  /**
   * Stops the replica; its releases and ticks up to the stop, or undefined if it did not say (it
   * had exited, or was killed after 20 s).
   */
  async stop(): Promise<{ released: number; ticks: number } | undefined> {
    if (this.#child.exitCode !== null) return undefined;
    let final: { released: number; ticks: number } | undefined;
    const onMessage = (m: { kind: string; released?: number; ticks?: number }) => {
      if (m.kind === "stopped" && m.released !== undefined && m.ticks !== undefined)
        final = { released: m.released, ticks: m.ticks };
    };
    this.#child.on("message", onMessage);
    const exited = once(this.#child, "exit");
    this.#child.send({ kind: "stop" });
    await Promise.race([exited, sleep(20_000)]);
    this.#child.off("message", onMessage);
    if (this.#child.exitCode === null) this.#child.kill("SIGKILL");
    return final;
  }
}

/** Every replica's report, in replica order. */
export function reportAll(replicas: readonly SchedulerReplica[]): Promise<ChildReport[]> {
  return Promise.all(replicas.map((r) => r.report()));
}
