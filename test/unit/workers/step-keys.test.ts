/**
 * Step idempotency keys (issue 9, bug 7): one key per Task invocation — distinct for Map items,
 * Parallel branches, a loop re-entering a Task state and a retry — and the same keys when the same
 * execution is replayed, from the start or from a checkpoint.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import {
  compileMachine,
  completeTask,
  failTask,
  pendingTasks,
  startExecution,
  step,
  type CompiledMachine,
  type ExecutionState,
} from "../../../shared/asl/index.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { StepError, StepRegistry } from "../../../workers/steps/registry.ts";
import { executeTask } from "../../../workers/task-executor.ts";
import { stepIdempotencyKey } from "../../../workers/step-key.ts";

const RECORD = "arn:aws:states:us-east-1:000000000000:activity:record";
const task = (extra: Record<string, unknown> = {}) => ({ Type: "Task", Resource: RECORD, ...extra });

/** A Map of 3 items; a loop run 3 times over a Parallel of 2 branches and a Task; a retry. */
const definition = {
  StartAt: "Init",
  States: {
    Init: { Type: "Pass", Assign: { laps: 0 }, Next: "Fan" },
    Fan: {
      Type: "Map",
      ItemsPath: "$.items",
      ItemProcessor: { StartAt: "Item", States: { Item: task({ End: true }) } },
      ResultPath: null,
      Next: "Lap",
    },
    Lap: {
      Type: "Parallel",
      Branches: [
        { StartAt: "Left", States: { Left: task({ End: true }) } },
        { StartAt: "Right", States: { Right: task({ End: true }) } },
      ],
      ResultPath: null,
      Next: "Solo",
    },
    Solo: task({ ResultPath: null, Assign: { "laps.$": "States.MathAdd($laps, 1)" }, Next: "Again" }),
    Again: {
      Type: "Choice",
      Choices: [{ Variable: "$laps", NumericLessThan: 3, Next: "Lap" }],
      Default: "Flaky",
    },
    Flaky: task({
      Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 1, MaxAttempts: 1 }],
      End: true,
    }),
  },
};

const INPUT = { items: [1, 2, 3] };
const JOB = "01JOBKEYS0000000000000000A";
let clock = 1_700_000_000_000;
/** The clock moves a second per reading, so the retry's 1 s backoff passes. */
const deps = {
  now: () => (clock += 1000),
  random: () => 0.5,
  uuid: () => "00000000-0000-4000-8000-000000000000",
};
const log = pino({ level: "silent" });

/** Runs the execution to its end, one round of pending tasks at a time, recording each step's key. */
async function runAll(
  machine: CompiledMachine,
  from: ExecutionState,
  seen: { state: string; key: string }[],
  stopAfterRounds = Infinity,
): Promise<ExecutionState> {
  let exec = from;
  let flakyFailed = false;
  const steps = new StepRegistry().register("record", (_input, ctx) => {
    seen.push({ state: ctx.stateName, key: ctx.idempotencyKey });
    if (ctx.stateName === "Flaky" && !flakyFailed) {
      flakyFailed = true;
      throw new StepError("Flaky", "first attempt fails");
    }
    return Promise.resolve({ ok: true });
  });
  const taskDeps = {
    steps,
    log,
    keepAlive: async () => {},
    shutdown: new AbortController().signal,
    keepAliveEveryMs: 60_000,
  };
  for (let rounds = 0; rounds < 100 && !exec.end;) {
    const r = step(machine, exec, deps);
    if (r.state !== exec || r.effects.length > 0) {
      exec = r.state;
      continue;
    }
    const queue = pendingTasks(machine, exec);
    if (queue.length === 0) continue; // a retry backoff: the clock moves on
    if (rounds++ >= stopAfterRounds) return exec;
    for (const t of queue) {
      const out = await executeTask(taskDeps, tenantId("acme"), JOB, t);
      exec = out.ok
        ? completeTask(machine, exec, t.taskId, out.output)
        : failTask(machine, exec, t.taskId, out.error, out.cause);
    }
  }
  expect(exec.end?.ok).toBe(true);
  return exec;
}

describe("step idempotency keys", () => {
  const machine = compileMachine(definition);
  const start = () =>
    startExecution(machine, INPUT, {
      executionId: JOB,
      executionName: JOB,
      stateMachineName: "keys",
      startTime: "2023-11-14T22:13:20.000Z",
    });

  it("are distinct for Map items, Parallel branches, loop re-entries and retries", async () => {
    const seen: { state: string; key: string }[] = [];
    await runAll(machine, start(), seen);
    const keysOf = (state: string) => seen.filter((s) => s.state === state).map((s) => s.key);
    expect(keysOf("Item")).toHaveLength(3);
    expect(keysOf("Left")).toHaveLength(3);
    expect(keysOf("Right")).toHaveLength(3);
    expect(keysOf("Solo")).toHaveLength(3);
    expect(keysOf("Flaky")).toHaveLength(2);
    expect(new Set(seen.map((s) => s.key)).size).toBe(seen.length);
    for (const s of seen) expect(s.key.startsWith(`${JOB}:${s.state}#`)).toBe(true);
  });

  it("are the same when the execution is replayed from the start or from a checkpoint", async () => {
    const first: { state: string; key: string }[] = [];
    await runAll(machine, start(), first);
    const again: { state: string; key: string }[] = [];
    await runAll(machine, start(), again);
    expect(again).toEqual(first);

    // A worker that stops after two rounds and one that resumes from its stored (JSON) checkpoint.
    const before: { state: string; key: string }[] = [];
    const checkpoint = await runAll(machine, start(), before, 2);
    const resumed: { state: string; key: string }[] = [];
    await runAll(machine, JSON.parse(JSON.stringify(checkpoint)) as ExecutionState, resumed);
    expect([...before, ...resumed]).toEqual(first);
  });

  it("numbers the engine's task id into the key", () => {
    expect(stepIdempotencyKey("job-1", { taskId: "job-1#7", stateName: "Item" })).toBe("job-1:Item#7");
    expect(stepIdempotencyKey("job-1", { taskId: "weird", stateName: "S" })).toBe("job-1:S#weird");
  });
});
