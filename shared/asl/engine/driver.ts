/**
 * runToCompletion: a driver loop over the stepping API for tests, conformance and benchmarks. It
 * keeps a virtual clock (Wait states and retry backoffs advance it instead of sleeping), runs
 * tasks through a handler once nothing else can progress, and returns the outcome.
 */
import type { ExecutionOptions, ExecutionState, HistoryEvent, StepDeps, TaskEffect } from "../types.ts";
import type { CompiledMachine } from "./compiled.ts";
import { completeTask, failTask, startExecution, step, wakeAt } from "./execution.ts";

/** Throw from a task handler to fail the task with this error name and cause. */
export class TaskFailure extends Error {
  constructor(
    readonly error: string,
    readonly errorCause?: string,
  ) {
    super(errorCause ? `${error}: ${errorCause}` : error);
    this.name = "TaskFailure";
  }
}

export type TaskHandler = (task: TaskEffect) => unknown;

export interface RunOptions {
  /** Overrides for the injected deps; `now` is the driver's virtual clock unless given. */
  deps?: Partial<StepDeps>;
  /** Handles Task states (sync or async); without one, tasks fail with States.TaskFailed. */
  taskHandler?: TaskHandler;
  execution?: Partial<ExecutionOptions>;
  /** Virtual clock start (epoch ms); defaults to the execution start time or 2024-01-01. */
  startMs?: number;
  /** Give up after this many steps (a guard against infinite loops in definitions). */
  maxSteps?: number;
  /**
   * Called with every new state (after a step that progressed or a task result); the run goes on
   * from the state it returns, if any: e.g. a checkpoint round trip through serialization.
   */
  onState?: (state: ExecutionState) => ExecutionState | void;
}

export interface RunResult {
  status: "succeeded" | "failed";
  output?: unknown;
  error?: string | undefined;
  cause?: string | undefined;
  state: ExecutionState;
  events: HistoryEvent[];
  steps: number;
  /** Virtual time elapsed, ms. */
  elapsedMs: number;
}

const DEFAULT_START = Date.parse("2024-01-01T00:00:00.000Z");

/** Deterministic PRNG (mulberry32) and UUIDs, for runs that do not inject their own. */
export function seededDeps(seed = 1): Pick<StepDeps, "random" | "uuid"> {
  let a = seed >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("");
  const uuid = (): string =>
    `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
  return { random, uuid };
}

interface Loop {
  machine: CompiledMachine;
  onState: RunOptions["onState"];
  deps: StepDeps;
  clock: { now: number };
  events: HistoryEvent[];
  maxSteps: number;
}

function setup(
  machine: CompiledMachine,
  input: unknown,
  opts: RunOptions,
): { loop: Loop; exec: ExecutionState } {
  const startIso = opts.execution?.startTime;
  const startMs = opts.startMs ?? (startIso ? Date.parse(startIso) : DEFAULT_START);
  const clock = { now: startMs };
  const seeded = seededDeps();
  const deps: StepDeps = {
    now: opts.deps?.now ?? (() => clock.now),
    random: opts.deps?.random ?? seeded.random,
    uuid: opts.deps?.uuid ?? seeded.uuid,
    history: opts.deps?.history ?? false,
  };
  const exec = startExecution(machine, input, {
    executionId: opts.execution?.executionId ?? "arn:aws:states:local:000000000000:execution:sluice:run",
    executionName: opts.execution?.executionName ?? "run",
    stateMachineName: opts.execution?.stateMachineName ?? "sluice",
    startTime: startIso ?? new Date(startMs).toISOString(),
    ...(opts.execution?.roleArn !== undefined ? { roleArn: opts.execution.roleArn } : {}),
  });
  const maxSteps = opts.maxSteps ?? 1_000_000;
  return { loop: { machine, onState: opts.onState, deps, clock, events: [], maxSteps }, exec };
}

function finish(loop: Loop, exec: ExecutionState, steps: number, startMs: number): RunResult {
  const end = exec.end!;
  const base = { state: exec, events: loop.events, steps, elapsedMs: loop.clock.now - startMs };
  return end.ok
    ? { status: "succeeded", output: end.output, ...base }
    : { status: "failed", error: end.error, cause: end.cause, ...base };
}

/**
 * Step until the execution ends or only tasks can unblock it (timers are fired by moving the
 * virtual clock). Issued tasks are pushed onto `queue` for the sync or async caller to run.
 */
function spin(
  loop: Loop,
  exec: ExecutionState,
  queue: TaskEffect[],
  counter: { steps: number },
): ExecutionState {
  for (;;) {
    if (++counter.steps > loop.maxSteps)
      throw new Error(`execution did not finish within ${loop.maxSteps} steps`);
    const r = step(loop.machine, exec, loop.deps);
    if (r.events.length > 0) loop.events.push(...r.events);
    for (const e of r.effects) if (e.kind === "task") queue.push(e);
    if (r.state === exec) {
      if (queue.length > 0) return exec;
      const wake = wakeAt(exec);
      if (wake === undefined) throw new Error("execution is stuck: no runnable state, task or timer");
      loop.clock.now = Math.max(loop.clock.now, wake);
      continue;
    }
    exec = loop.onState?.(r.state) ?? r.state;
    if (exec.end) return exec;
  }
}

function settle(
  loop: Loop,
  exec: ExecutionState,
  task: TaskEffect,
  outcome: { ok: boolean; value: unknown },
): ExecutionState {
  const next = deliver(loop, exec, task, outcome);
  return next === exec ? exec : (loop.onState?.(next) ?? next);
}

function deliver(
  loop: Loop,
  exec: ExecutionState,
  task: TaskEffect,
  outcome: { ok: boolean; value: unknown },
): ExecutionState {
  if (outcome.ok) return completeTask(loop.machine, exec, task.taskId, outcome.value, loop.deps);
  const err = outcome.value;
  if (err instanceof TaskFailure)
    return failTask(loop.machine, exec, task.taskId, err.error, err.errorCause, loop.deps);
  const message = err instanceof Error ? err.message : String(err);
  return failTask(loop.machine, exec, task.taskId, "States.TaskFailed", message, loop.deps);
}

const noHandler: TaskHandler = (task) => {
  throw new TaskFailure("States.TaskFailed", `no task handler for resource ${task.resource}`);
};

/** Synchronous driver: the task handler must return its result (not a Promise). */
export function runToCompletionSync(
  machine: CompiledMachine,
  input: unknown,
  opts: RunOptions = {},
): RunResult {
  const { loop, exec: first } = setup(machine, input, opts);
  const startMs = loop.clock.now;
  const handler = opts.taskHandler ?? noHandler;
  const counter = { steps: 0 };
  let exec = first;
  const queue: TaskEffect[] = [];
  for (;;) {
    exec = spin(loop, exec, queue, counter);
    if (exec.end) return finish(loop, exec, counter.steps, startMs);
    for (const task of queue.splice(0)) {
      let outcome: { ok: boolean; value: unknown };
      try {
        const value = handler(task);
        if (value instanceof Promise)
          throw new Error("runToCompletionSync: the task handler returned a Promise");
        outcome = { ok: true, value };
      } catch (err) {
        outcome = { ok: false, value: err };
      }
      exec = settle(loop, exec, task, outcome);
    }
  }
}

/** Asynchronous driver: the task handler may return a Promise; tasks of one round run concurrently. */
export async function runToCompletion(
  machine: CompiledMachine,
  input: unknown,
  opts: RunOptions = {},
): Promise<RunResult> {
  const { loop, exec: first } = setup(machine, input, opts);
  const startMs = loop.clock.now;
  const handler = opts.taskHandler ?? noHandler;
  const counter = { steps: 0 };
  let exec = first;
  const queue: TaskEffect[] = [];
  for (;;) {
    exec = spin(loop, exec, queue, counter);
    if (exec.end) return finish(loop, exec, counter.steps, startMs);
    const round = queue.splice(0);
    const outcomes = await Promise.all(
      round.map(async (task) => {
        try {
          return { ok: true, value: await handler(task) };
        } catch (err) {
          return { ok: false, value: err };
        }
      }),
    );
    round.forEach((task, i) => {
      exec = settle(loop, exec, task, outcomes[i]!);
    });
  }
}
