/**
 * The chaos run's process supervisor: the scheduler and the workers run as child processes
 * (`node --import tsx bench/chaos/entry.ts <role>`), each the leader of its own process group so a
 * SIGKILL reaches everything it started. A slot whose process exits is refilled after `respawnMs`
 * (kills by the schedule and unexpected exits alike; the latter are counted). `stopAll()` SIGKILLs
 * every group still alive; nothing outlives the run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";

export type Role = "worker" | "scheduler";

interface Slot {
  readonly role: Role;
  readonly index: number;
  generation: number;
  child?: ChildProcess;
  startedAt: number;
  /** Unexpected exits in a row of processes that lived less than STABLE_MS (backoff). */
  crashes: number;
  /** The exit was caused by the run (a fault), not by the process itself. */
  expectedExit: boolean;
}

export interface ExitRecord {
  readonly role: Role;
  readonly index: number;
  readonly pid: number;
  readonly code: number | null;
  readonly signal: string | null;
  readonly expected: boolean;
  readonly at: number;
  /** How long the process ran. */
  readonly livedMs: number;
}

export interface SupervisorOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly stateDir: string;
  readonly workers: number;
  readonly schedulers: number;
  readonly respawnMs: number;
  readonly log: (msg: string) => void;
}

/** A process that lived this long resets its slot's backoff. */
const STABLE_MS = 10_000;
const MAX_BACKOFF_MS = 5_000;
const ENTRY = join(import.meta.dirname, "entry.ts");
const ROOT = join(import.meta.dirname, "..", "..");

export class Supervisor {
  readonly exits: ExitRecord[] = [];
  readonly #slots: Slot[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopping = false;
  readonly #spawnedPids: number[] = [];
  spawned = 0;

  constructor(private readonly o: SupervisorOptions) {
    for (let i = 0; i < o.schedulers; i++)
      this.#slots.push({
        role: "scheduler",
        index: i,
        generation: 0,
        expectedExit: false,
        startedAt: 0,
        crashes: 0,
      });
    for (let i = 0; i < o.workers; i++)
      this.#slots.push({
        role: "worker",
        index: i,
        generation: 0,
        expectedExit: false,
        startedAt: 0,
        crashes: 0,
      });
    mkdirSync(join(o.stateDir, "logs"), { recursive: true });
    mkdirSync(join(o.stateDir, "steps"), { recursive: true });
  }

  startAll(): void {
    for (const s of this.#slots) this.#spawn(s);
  }

  /** Every pid this supervisor spawned (each the leader of its own process group). */
  allPids(): number[] {
    return [...this.#spawnedPids];
  }

  /** Pids of the live children (for the final check that nothing survived). */
  pids(): number[] {
    return this.#slots.flatMap((s) =>
      s.child?.pid !== undefined && s.child.exitCode === null && s.child.signalCode === null
        ? [s.child.pid]
        : [],
    );
  }

  alive(role: Role): number {
    return this.#slots.filter(
      (s) =>
        s.role === role && s.child !== undefined && s.child.exitCode === null && s.child.signalCode === null,
    ).length;
  }

  /**
   * Signals the process of a slot (its whole group). A slot being refilled is skipped for the next
   * slot of the role with a live process; returns the index signalled, or undefined when none lives.
   */
  signal(role: Role, index: number, signal: NodeJS.Signals): number | undefined {
    const slots = this.#slots.filter((s) => s.role === role);
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[(index + k) % slots.length]!;
      const pid = slot.child?.pid;
      if (pid === undefined || slot.child?.exitCode !== null || slot.child.signalCode !== null) continue;
      slot.expectedExit = true;
      try {
        process.kill(-pid, signal);
        return slot.index;
      } catch {
        slot.expectedExit = false;
      }
    }
    return undefined;
  }

  #spawn(slot: Slot): void {
    if (this.#stopping) return;
    slot.generation++;
    slot.expectedExit = false;
    slot.startedAt = Date.now();
    const name = `${slot.role}-${slot.index}-g${slot.generation}`;
    const logFd = openSync(join(this.o.stateDir, "logs", `${name}.log`), "a");
    const child = spawn(process.execPath, ["--import", "tsx", ENTRY, slot.role], {
      cwd: ROOT,
      env: {
        ...this.o.env,
        CHAOS_RECORD_FILE: join(this.o.stateDir, "steps", `${name}.jsonl`),
        SLUICE_WORKER_ID: `chaos-${name}`,
      },
      detached: true,
      stdio: ["ignore", logFd, logFd],
    });
    closeSync(logFd);
    this.spawned++;
    if (child.pid !== undefined) this.#spawnedPids.push(child.pid);
    slot.child = child;
    child.on("exit", (code, signal) => {
      const pid = child.pid ?? 0;
      // Whatever the leader left in its group (tsx's esbuild service) goes with it.
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // group already empty
      }
      this.exits.push({
        role: slot.role,
        index: slot.index,
        pid,
        code,
        signal,
        expected: slot.expectedExit,
        at: Date.now(),
        livedMs: Date.now() - slot.startedAt,
      });
      if (!slot.expectedExit)
        this.o.log(`${name} exited on its own (code ${code}, signal ${signal}); restarting it`);
      if (slot.child !== child || this.#stopping) return;
      // A process that keeps failing (e.g. it cannot start while LocalStack is down) backs off.
      if (slot.expectedExit || Date.now() - slot.startedAt > STABLE_MS) slot.crashes = 0;
      else slot.crashes++;
      const delay = Math.min(MAX_BACKOFF_MS, this.o.respawnMs * 2 ** slot.crashes);
      const t = setTimeout(() => {
        this.#timers.delete(t);
        this.#spawn(slot);
      }, delay);
      this.#timers.add(t);
    });
  }

  /** SIGKILLs every live child group and cancels pending respawns. */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    for (const s of this.#slots) s.expectedExit = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const live = this.#slots.flatMap((s) =>
      s.child && s.child.exitCode === null && s.child.signalCode === null ? [s.child] : [],
    );
    for (const c of live) {
      if (c.pid === undefined) continue;
      try {
        process.kill(-c.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    await Promise.all(
      live.map((c) =>
        c.exitCode !== null || c.signalCode !== null
          ? undefined
          : new Promise<void>((r) => c.once("exit", () => r())),
      ),
    );
  }
}
