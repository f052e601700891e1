import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");

export interface DemoFleetOptions {
  /** The environment of every process (stack endpoints, the run's namespace, settings). */
  readonly env: NodeJS.ProcessEnv;
  readonly workers: number;
  /** Scheduler replicas (`scheduler-1` …, ids `demo-scheduler-1` …); default 1. */
  readonly schedulers?: number;
  /** Each process logs (JSON) to `<logsDir>/<name>.log`. */
  readonly logsDir: string;
  /** Prometheus metrics ports: one per scheduler, then one per worker (none: no metrics servers). */
  readonly metricsPorts?: readonly number[];
  /** Further processes, started first (the token issuer and the API, `front-door.ts`). */
  readonly extra?: readonly ExtraProcess[];
}

export interface ExtraProcess {
  readonly name: string;
  /** A TypeScript entry point, relative to the repository. */
  readonly entry: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface DemoFleet {
  /** The pids of the processes this fleet started (each leads its own process group). */
  readonly pids: readonly number[];
  /** Processes that exited before `stop()` was called, e.g. `worker-1 (code 1)`. */
  exitedEarly(): string[];
  /** SIGTERM to each process group (graceful), SIGKILL to whatever is left after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The replica id of the demo's `i`-th scheduler process (1-based). */
export const demoSchedulerId = (i: number) => `demo-scheduler-${i}`;

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  exited: boolean;
  early?: string;
}

/**
 * Starts the fleet as real processes, the way an operator runs it: `schedulers` scheduler replicas
 * (`scheduler/main.ts`, sharing the tenants through their leases) and `workers` worker processes
 * (`workers/main.ts`, each with its sweeper), after the `extra` ones.
 */
export function startDemoFleet(o: DemoFleetOptions): DemoFleet {
  mkdirSync(o.logsDir, { recursive: true });
  const procs: Proc[] = [];
  let stopping = false;
  const start = (
    name: string,
    entry: string,
    extraEnv: Readonly<Record<string, string>>,
    args: readonly string[] = [],
  ) => {
    const fd = openSync(join(o.logsDir, `${name}.log`), "a");
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, entry), ...args], {
      cwd: ROOT,
      env: { ...o.env, ...extraEnv },
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    const p: Proc = { name, child, exited: false };
    child.on("exit", (code, signal) => {
      p.exited = true;
      if (!stopping) p.early = `${name} (code ${code}, signal ${signal})`;
    });
    procs.push(p);
  };
  const metrics = (i: number): Record<string, string> => {
    const port = o.metricsPorts?.[i];
    return port === undefined ? {} : { SLUICE_METRICS_PORT: String(port) };
  };
  for (const x of o.extra ?? []) start(x.name, x.entry, x.env ?? {}, x.args);
  const schedulers = o.schedulers ?? 1;
  for (let i = 1; i <= schedulers; i++)
    start(`scheduler-${i}`, "scheduler/main.ts", {
      SLUICE_SCHEDULER_ID: demoSchedulerId(i),
      ...metrics(i - 1),
    });
  for (let i = 1; i <= o.workers; i++)
    start(`worker-${i}`, "workers/main.ts", {
      SLUICE_WORKER_ID: `demo-worker-${i}`,
      ...metrics(schedulers + i - 1),
    });

  const signalGroup = (p: Proc, sig: NodeJS.Signals) => {
    if (p.child.pid === undefined) return;
    try {
      process.kill(-p.child.pid, sig);
    } catch {
      // the group is gone already
    }
  };
  return {
    pids: procs.flatMap((p) => (p.child.pid === undefined ? [] : [p.child.pid])),
    exitedEarly: () => procs.flatMap((p) => (p.early ? [p.early] : [])),
    async stop(graceMs = 8_000) {
      stopping = true;
      const live = procs.filter((p) => !p.exited);
      for (const p of live) signalGroup(p, "SIGTERM");
      const timer = setTimeout(() => live.forEach((p) => signalGroup(p, "SIGKILL")), graceMs);
      await Promise.all(
        live.map((p) => (p.exited ? undefined : new Promise((r) => p.child.once("exit", r)))),
      );
      clearTimeout(timer);
      // Whatever a leader left in its group (tsx's esbuild service) goes with it.
      for (const p of procs) signalGroup(p, "SIGKILL");
    },
  };
}
