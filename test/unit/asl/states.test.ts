import { describe, expect, it } from "vitest";
import {
  compileMachine,
  completeTask,
  failTask,
  startExecution,
  step,
  TaskFailure,
} from "../../../shared/asl/index.ts";
import type { TaskEffect } from "../../../shared/asl/types.ts";
import { OPTS, run, single, T0, testDeps } from "./engine-helpers.ts";

describe("Pass", () => {
  it("applies InputPath, Parameters, Result, ResultPath and OutputPath", () => {
    expect(run(single({ Type: "Pass", Result: { r: 1 }, ResultPath: "$.out" }), { a: 1 }).output).toEqual({
      a: 1,
      out: { r: 1 },
    });
    expect(
      run(single({ Type: "Pass", InputPath: "$.a", Parameters: { "v.$": "$.b", k: 1 } }), { a: { b: 2 } })
        .output,
    ).toEqual({ v: 2, k: 1 });
    expect(run(single({ Type: "Pass", ResultPath: null, Result: 5 }), { a: 1 }).output).toEqual({ a: 1 });
    expect(run(single({ Type: "Pass", OutputPath: null }), { a: 1 }).output).toEqual({});
    expect(run(single({ Type: "Pass", OutputPath: "$.a.b" }), { a: { b: [1] } }).output).toEqual([1]);
  });

  it("raises States.Runtime for a path with no match", () => {
    const r = run(single({ Type: "Pass", InputPath: "$.missing" }), {});
    expect(r.status).toBe("failed");
    expect(r.error).toBe("States.Runtime");
    expect(r.cause).toContain("An error occurred while executing the state 'S' (entered at the event id #2)");
  });

  it("fails with States.DataLimitExceeded on an oversized result", () => {
    const r = run(single({ Type: "Pass", Result: "x".repeat(300 * 1024) }));
    expect(r.error).toBe("States.DataLimitExceeded");
  });
});

describe("context object", () => {
  it("exposes execution, state and state machine fields", () => {
    const r = run(
      single({
        Type: "Pass",
        Parameters: {
          "id.$": "$$.Execution.Id",
          "name.$": "$$.Execution.Name",
          "input.$": "$$.Execution.Input",
          "start.$": "$$.Execution.StartTime",
          "role.$": "$$.Execution.RoleArn",
          "state.$": "$$.State.Name",
          "entered.$": "$$.State.EnteredTime",
          "retries.$": "$$.State.RetryCount",
          "sm.$": "$$.StateMachine.Name",
        },
      }),
      { q: 1 },
    );
    expect(r.output).toEqual({
      id: OPTS.executionId,
      name: "exec-1",
      input: { q: 1 },
      start: OPTS.startTime,
      role: OPTS.roleArn,
      state: "S",
      entered: new Date(T0).toISOString(),
      retries: 0,
      sm: "sm",
    });
  });
});

describe("Task", () => {
  it("passes the effective input, timeouts from paths and a task token", () => {
    const seen: TaskEffect[] = [];
    const r = run(
      single({
        Type: "Task",
        Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        Parameters: { "token.$": "$$.Task.Token", "v.$": "$.v" },
        TimeoutSecondsPath: "$.t",
        HeartbeatSecondsPath: "$.h",
        ResultSelector: { "got.$": "$.x" },
        ResultPath: "$.res",
      }),
      { v: 7, t: 60, h: 10 },
      { taskHandler: (task) => (seen.push(task), { x: "ok" }) },
    );
    expect(seen).toHaveLength(1);
    const task = seen[0]!;
    expect(task.taskToken).toBeDefined();
    expect(task.input).toEqual({ token: task.taskToken, v: 7 });
    expect(task.timeoutSeconds).toBe(60);
    expect(task.heartbeatSeconds).toBe(10);
    expect(r.output).toEqual({ v: 7, t: 60, h: 10, res: { got: "ok" } });
  });

  it("retries with exponential backoff, MaxDelaySeconds and full jitter", () => {
    const m = compileMachine(
      single({
        Type: "Task",
        Resource: "r",
        Retry: [
          {
            ErrorEquals: ["Boom"],
            IntervalSeconds: 2,
            BackoffRate: 3,
            MaxAttempts: 3,
            MaxDelaySeconds: 10,
            JitterStrategy: "FULL",
          },
        ],
      }),
    );
    const deps = testDeps();
    let exec = startExecution(m, {}, OPTS);
    const waits: number[] = [];
    const attempts: number[] = [];
    for (let guard = 0; guard < 50 && !exec.end; guard++) {
      const r = step(m, exec, deps);
      exec = r.state;
      for (const e of r.effects) {
        if (e.kind === "wait") {
          waits.push(e.until - deps.clock.now);
          deps.clock.now = e.until;
        }
        if (e.kind === "task") {
          attempts.push(e.attempt);
          exec = (attempts.length < 4 ? failTaskOf : completeTaskOf)(m, exec, e);
        }
      }
    }
    // random() = 0.25: 2s*0.25, 6s*0.25, min(18,10)s*0.25
    expect(waits).toEqual([500, 1500, 2500]);
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(exec.end).toEqual({ ok: true, output: { done: true } });
  });

  it("catches errors into ResultPath and assigns variables from the error output", () => {
    const def = {
      StartAt: "T",
      States: {
        T: {
          Type: "Task",
          Resource: "r",
          Catch: [
            {
              ErrorEquals: ["States.TaskFailed"],
              ResultPath: "$.err",
              Assign: { "why.$": "$.Cause" },
              Next: "After",
            },
          ],
          End: true,
        },
        After: { Type: "Pass", Parameters: { "why.$": "$why", "err.$": "$.err" }, End: true },
      },
    };
    const r = run(
      def,
      { a: 1 },
      {
        taskHandler: () => {
          throw new TaskFailure("MyError", "bad input");
        },
      },
    );
    expect(r.output).toEqual({ why: "bad input", err: { Error: "MyError", Cause: "bad input" } });
  });

  it("does not let States.ALL catch States.Runtime", () => {
    const def = {
      StartAt: "P",
      States: {
        P: {
          Type: "Parallel",
          Branches: [{ StartAt: "X", States: { X: { Type: "Pass", InputPath: "$.nope", End: true } } }],
          Catch: [{ ErrorEquals: ["States.ALL"], Next: "C" }],
          End: true,
        },
        C: { Type: "Succeed" },
      },
    };
    expect(run(def).error).toBe("States.Runtime");
  });
});

const stepApi = { completeTask, failTask };

function failTaskOf(
  m: ReturnType<typeof compileMachine>,
  exec: ReturnType<typeof startExecution>,
  e: TaskEffect,
) {
  return stepApi.failTask(m, exec, e.taskId, "Boom", "again");
}
function completeTaskOf(
  m: ReturnType<typeof compileMachine>,
  exec: ReturnType<typeof startExecution>,
  e: TaskEffect,
) {
  return stepApi.completeTask(m, exec, e.taskId, { done: true });
}

describe("Choice", () => {
  const def = {
    StartAt: "C",
    States: {
      C: {
        Type: "Choice",
        Choices: [
          { Variable: "$.n", NumericGreaterThan: 10, Next: "Big", Assign: { size: "big" } },
          {
            And: [
              { Variable: "$.s", IsPresent: true },
              { Variable: "$.s", StringMatches: "a*" },
            ],
            Next: "Str",
          },
        ],
        Default: "Other",
        Assign: { size: "default" },
      },
      Big: { Type: "Pass", Parameters: { "size.$": "$size" }, End: true },
      Str: { Type: "Pass", Result: "str", End: true },
      Other: { Type: "Pass", Parameters: { "size.$": "$size" }, End: true },
    },
  };
  it("picks the first matching rule with its Assign, else Default with the state's Assign", () => {
    expect(run(def, { n: 11 }).output).toEqual({ size: "big" });
    expect(run(def, { n: 1, s: "abc" }).output).toBe("str");
    expect(run(def, { n: 1 }).output).toEqual({ size: "default" });
  });
  it("raises States.NoChoiceMatched without Default", () => {
    const d = {
      StartAt: "C",
      States: {
        C: { Type: "Choice", Choices: [{ Variable: "$.n", NumericEquals: 1, Next: "E" }] },
        E: { Type: "Succeed" },
      },
    };
    expect(run(d, { n: 2 }).error).toBe("States.NoChoiceMatched");
  });
});

describe("Wait", () => {
  it("waits Seconds, SecondsPath, Timestamp and TimestampPath on the injected clock", () => {
    expect(run(single({ Type: "Wait", Seconds: 30 })).elapsedMs).toBe(30_000);
    expect(run(single({ Type: "Wait", SecondsPath: "$.s" }), { s: 4 }).elapsedMs).toBe(4_000);
    expect(run(single({ Type: "Wait", Timestamp: "2024-05-01T10:01:00Z" })).elapsedMs).toBe(60_000);
    expect(
      run(single({ Type: "Wait", TimestampPath: "$.t" }), { t: "2024-05-01T11:00:00+01:00" }).elapsedMs,
    ).toBe(0);
  });
  it("rejects bad SecondsPath and TimestampPath values with States.Runtime", () => {
    expect(run(single({ Type: "Wait", SecondsPath: "$.s" }), { s: -1 }).cause).toMatch(
      /negative value: \$\.s == -1$/,
    );
    expect(run(single({ Type: "Wait", SecondsPath: "$.s" }), { s: "x" }).error).toBe("States.Runtime");
    expect(run(single({ Type: "Wait", TimestampPath: "$.t" }), { t: "yesterday" }).error).toBe(
      "States.Runtime",
    );
  });
});

describe("Fail and Succeed", () => {
  it("fails with literal, path or intrinsic Error/Cause", () => {
    expect(run(single({ Type: "Fail", Error: "E", Cause: "C" }))).toMatchObject({
      status: "failed",
      error: "E",
      cause: "C",
    });
    expect(
      run(single({ Type: "Fail", ErrorPath: "$.e", CausePath: "States.Format('n={}', $.n)" }), {
        e: "X",
        n: 3,
      }),
    ).toMatchObject({ error: "X", cause: "n=3" });
    expect(run(single({ Type: "Fail" }))).toMatchObject({
      status: "failed",
      error: undefined,
      cause: undefined,
    });
  });
  it("Succeed ends with its (OutputPath-filtered) input", () => {
    expect(run(single({ Type: "Succeed", OutputPath: "$.a" }), { a: 1 }).output).toBe(1);
  });
});
