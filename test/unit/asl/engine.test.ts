import { describe, expect, it } from "vitest";
import {
  compileMachine,
  completeTask,
  failTask,
  InvalidDefinitionError,
  pendingTasks,
  startExecution,
  status,
  step,
  wakeAt,
} from "../../../shared/asl/index.ts";
import { OPTS, T0, testDeps } from "./engine-helpers.ts";

const taskMachine = {
  StartAt: "T",
  States: {
    T: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke",
      TimeoutSeconds: 30,
      HeartbeatSeconds: 5,
      Next: "W",
    },
    W: { Type: "Wait", Seconds: 10, Next: "Done" },
    Done: { Type: "Succeed" },
  },
};

describe("compileMachine", () => {
  it("rejects an invalid definition listing every problem with its pointer", () => {
    const bad = { StartAt: "Nope", States: { A: { Type: "Pass", Next: "Missing" }, B: { Type: "Bogus" } } };
    let caught: unknown;
    try {
      compileMachine(bad);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidDefinitionError);
    const problems = (caught as InvalidDefinitionError).problems;
    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(problems.every((p) => typeof p.pointer === "string" && p.message.length > 0)).toBe(true);
  });

  it("rejects a JSONata expression that does not parse", () => {
    const def = {
      QueryLanguage: "JSONata",
      StartAt: "A",
      States: { A: { Type: "Pass", Output: "{% $states.input.( %}", End: true } },
    };
    expect(() => compileMachine(def)).toThrow(InvalidDefinitionError);
  });

  it("caches compiled machines by identity and by content", () => {
    const def = { StartAt: "A", States: { A: { Type: "Pass", End: true } } };
    const m = compileMachine(def);
    expect(compileMachine(def)).toBe(m);
    expect(compileMachine(JSON.parse(JSON.stringify(def)))).toBe(m);
  });
});

describe("stepping API", () => {
  it("advances one transition per step and reports effects and status", () => {
    const m = compileMachine(taskMachine);
    const deps = testDeps();
    let exec = startExecution(m, { a: 1 }, OPTS);
    expect(status(exec)).toBe("running");

    const r1 = step(m, exec, deps);
    expect(r1.effects).toEqual([
      expect.objectContaining({
        kind: "task",
        resource: "arn:aws:states:::lambda:invoke",
        input: { a: 1 },
        stateName: "T",
        attempt: 0,
        timeoutSeconds: 30,
        heartbeatSeconds: 5,
      }),
    ]);
    exec = r1.state;
    expect(status(exec)).toBe("waiting_task");
    // Nothing to do while the task is out.
    expect(step(m, exec, deps).state).toBe(exec);

    const task = r1.effects[0]!;
    if (task.kind !== "task") throw new Error("expected a task");
    expect(pendingTasks(m, exec)).toEqual([task]);
    exec = completeTask(m, exec, task.taskId, { b: 2 });
    expect(status(exec)).toBe("running");
    // A duplicate completion is a no-op.
    const again = completeTask(m, exec, task.taskId, { b: 3 });
    expect(again).toBe(exec);

    const r2 = step(m, exec, deps); // task result processed, moves to W
    const r3 = step(m, r2.state, deps); // W entered
    expect(r3.effects).toEqual([{ kind: "wait", until: T0 + 10_000 }]);
    expect(status(r3.state)).toBe("waiting_timer");
    expect(wakeAt(r3.state)).toBe(T0 + 10_000);
    expect(step(m, r3.state, deps).state).toBe(r3.state); // too early
    deps.clock.now = T0 + 10_000;
    const r4 = step(m, r3.state, deps);
    const r5 = step(m, r4.state, deps);
    expect(r5.effects).toEqual([{ kind: "succeed", output: { b: 2 } }]);
    expect(status(r5.state)).toBe("succeeded");
  });

  it("feeds task failures through failTask", () => {
    const m = compileMachine(taskMachine);
    const deps = testDeps();
    const r1 = step(m, startExecution(m, {}, OPTS), deps);
    const task = r1.effects[0]!;
    if (task.kind !== "task") throw new Error("expected a task");
    const failedExec = failTask(m, r1.state, task.taskId, "States.Timeout", "took too long");
    const r2 = step(m, failedExec, deps);
    expect(r2.effects).toEqual([{ kind: "fail", error: "States.Timeout", cause: "took too long" }]);
    expect(status(r2.state)).toBe("failed");
  });

  it("keeps the execution state plain, small JSON and shares unchanged subtrees", () => {
    const big = { payload: "x".repeat(1000) };
    const def = { StartAt: "A", States: { A: { Type: "Pass", Next: "B" }, B: { Type: "Pass", End: true } } };
    const m = compileMachine(def);
    const exec = startExecution(m, big, OPTS);
    const r = step(m, exec, testDeps());
    expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state);
    expect(r.state.root.in).toBe(big); // no copy of the input
    expect(r.state.ctx).toBe(exec.ctx);
  });

  it("refuses to step an execution of another machine", () => {
    const a = compileMachine({ StartAt: "A", States: { A: { Type: "Pass", End: true } } });
    const b = compileMachine({ StartAt: "B", States: { B: { Type: "Pass", End: true } } });
    expect(() => step(b, startExecution(a, {}, OPTS), testDeps())).toThrow(/definition/);
  });
});

describe("history events", () => {
  it("emits Step Functions event names with sequential ids only when asked", () => {
    const def = {
      StartAt: "P",
      States: {
        P: { Type: "Pass", Next: "M" },
        M: {
          Type: "Map",
          ItemProcessor: { StartAt: "I", States: { I: { Type: "Pass", End: true } } },
          Next: "Par",
        },
        Par: {
          Type: "Parallel",
          Branches: [{ StartAt: "B", States: { B: { Type: "Pass", End: true } } }],
          End: true,
        },
      },
    };
    const m = compileMachine(def);
    const deps = testDeps(true);
    let exec = startExecution(m, [1], OPTS);
    const events: { id: number; type: string }[] = [];
    while (!exec.end) {
      const r = step(m, exec, deps);
      events.push(...r.events);
      exec = r.state;
    }
    expect(events.map((e) => e.type)).toEqual([
      "ExecutionStarted",
      "PassStateEntered",
      "PassStateExited",
      "MapStateEntered",
      "MapStateStarted",
      "MapIterationStarted",
      "PassStateEntered",
      "PassStateExited",
      "MapIterationSucceeded",
      "MapStateSucceeded",
      "MapStateExited",
      "ParallelStateEntered",
      "ParallelStateStarted",
      "PassStateEntered",
      "PassStateExited",
      "ParallelStateSucceeded",
      "ParallelStateExited",
      "ExecutionSucceeded",
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(exec.end).toEqual({ ok: true, output: [[1]] });

    const quiet = step(m, startExecution(m, [1], OPTS), testDeps(false));
    expect(quiet.events).toHaveLength(0);
  });
});
