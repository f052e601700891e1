/** Parallel and Map states, and variable scoping across them. */
import { describe, expect, it } from "vitest";
import { compileMachine, completeTask, startExecution, step } from "../../../shared/asl/index.ts";
import type { TaskEffect } from "../../../shared/asl/types.ts";
import { OPTS, run, single, testDeps } from "./engine-helpers.ts";

describe("Parallel", () => {
  it("collects branch outputs in branch order and runs ResultSelector/ResultPath", () => {
    const def = single({
      Type: "Parallel",
      Branches: [
        { StartAt: "A", States: { A: { Type: "Task", Resource: "slow", End: true } } },
        { StartAt: "B", States: { B: { Type: "Pass", Result: "b", End: true } } },
      ],
      ResultSelector: { "first.$": "$[0]", "second.$": "$[1]" },
      ResultPath: "$.par",
    });
    expect(run(def, { x: 1 }, { taskHandler: () => "a" }).output).toEqual({
      x: 1,
      par: { first: "a", second: "b" },
    });
  });
  it("fails with the failing branch's error, which Catch can handle", () => {
    const branches = [
      { StartAt: "A", States: { A: { Type: "Fail", Error: "Oops", Cause: "c" } } },
      { StartAt: "B", States: { B: { Type: "Task", Resource: "r", End: true } } },
    ];
    expect(run(single({ Type: "Parallel", Branches: branches }), {}, { taskHandler: () => 1 })).toMatchObject(
      { error: "Oops", cause: "c" },
    );
    const caught = {
      StartAt: "P",
      States: {
        P: { Type: "Parallel", Branches: branches, Catch: [{ ErrorEquals: ["Oops"], Next: "C" }], End: true },
        C: { Type: "Pass", End: true },
      },
    };
    expect(run(caught, {}, { taskHandler: () => 1 }).output).toEqual({ Error: "Oops", Cause: "c" });
  });
});

describe("Map", () => {
  const processor = { StartAt: "T", States: { T: { Type: "Task", Resource: "work", End: true } } };

  it("limits active iterations to MaxConcurrency and keeps item order", () => {
    const m = compileMachine(
      single({ Type: "Map", ItemsPath: "$.items", MaxConcurrency: 2, ItemProcessor: processor }),
    );
    const deps = testDeps();
    let exec = startExecution(m, { items: [1, 2, 3, 4, 5] }, OPTS);
    const outstanding: TaskEffect[] = [];
    let maxOutstanding = 0;
    while (!exec.end) {
      const r = step(m, exec, deps);
      for (const e of r.effects) if (e.kind === "task") outstanding.push(e);
      maxOutstanding = Math.max(maxOutstanding, outstanding.length);
      if (r.state === exec) {
        const last = outstanding.pop()!; // complete out of order: newest first
        exec = completeTask(m, exec, last.taskId, (last.input as number) * 10);
      } else exec = r.state;
    }
    expect(maxOutstanding).toBe(2);
    expect(exec.end).toEqual({ ok: true, output: [10, 20, 30, 40, 50] });
  });

  it("builds item inputs with ItemSelector and $$.Map.Item", () => {
    const def = single({
      Type: "Map",
      ItemsPath: "$.xs",
      ItemSelector: { "i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value", "k.$": "$.k" },
      ItemProcessor: { StartAt: "P", States: { P: { Type: "Pass", End: true } } },
    });
    expect(run(def, { xs: ["a", "b"], k: 9 }).output).toEqual([
      { i: 0, v: "a", k: 9 },
      { i: 1, v: "b", k: 9 },
    ]);
  });

  it("tolerates failures up to ToleratedFailureCount, then fails with ExceedToleratedFailureThreshold", () => {
    const proc = {
      StartAt: "C",
      States: {
        C: { Type: "Choice", Choices: [{ Variable: "$", NumericGreaterThan: 2, Next: "F" }], Default: "P" },
        F: { Type: "Fail", Error: "Big" },
        P: { Type: "Pass", End: true },
      },
    };
    const ok = run(single({ Type: "Map", ToleratedFailureCount: 1, ItemProcessor: proc }), [1, 2, 3]);
    expect(ok.status).toBe("succeeded");
    expect((ok.output as unknown[]).slice(0, 2)).toEqual([1, 2]);
    const bad = run(single({ Type: "Map", ToleratedFailureCount: 1, ItemProcessor: proc }), [1, 3, 4]);
    expect(bad.error).toBe("States.ExceedToleratedFailureThreshold");
    const noTolerance = run(single({ Type: "Map", ItemProcessor: proc }), [1, 3]);
    expect(noTolerance.error).toBe("Big");
  });

  it("batches items with ItemBatcher", () => {
    const def = single({
      Type: "Map",
      ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { tag: "t" } },
      ItemProcessor: {
        ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
        StartAt: "P",
        States: { P: { Type: "Pass", End: true } },
      },
    });
    expect(run(def, [1, 2, 3]).output).toEqual([
      { BatchInput: { tag: "t" }, Items: [1, 2] },
      { BatchInput: { tag: "t" }, Items: [3] },
    ]);
  });

  it("rejects a non-integer MaxConcurrencyPath value", () => {
    const r = run(
      single({ Type: "Map", MaxConcurrencyPath: "$.m", ItemsPath: "$.xs", ItemProcessor: processor }),
      { m: "lots", xs: [] },
    );
    expect(r.error).toBe("States.Runtime");
  });
});

describe("variables", () => {
  it("lets Map iterations and Parallel branches read outer variables without leaking theirs", () => {
    const def = {
      StartAt: "Init",
      States: {
        Init: { Type: "Pass", Assign: { base: 10 }, Next: "M" },
        M: {
          Type: "Map",
          ItemProcessor: {
            StartAt: "In",
            States: {
              In: {
                Type: "Pass",
                Assign: { inner: 1 },
                Parameters: { "sum.$": "States.MathAdd($, $base)" },
                End: true,
              },
            },
          },
          Next: "After",
        },
        After: { Type: "Pass", Parameters: { "base.$": "$base", "res.$": "$" }, Next: "Check" },
        Check: { Type: "Pass", Parameters: { "leak.$": "$inner" }, End: true },
      },
    };
    const r = run(def, [1, 2]);
    expect(r.status).toBe("failed"); // $inner is not visible outside the Map
    expect(r.cause).toContain("inner");
    const { Check: _check, ...states } = def.States;
    const after = { Type: "Pass", Parameters: def.States.After.Parameters, End: true };
    const ok = run({ ...def, States: { ...states, After: after } }, [1, 2]);
    expect(ok.output).toEqual({ base: 10, res: [{ sum: 11 }, { sum: 12 }] });
  });

  it("evaluates Assign with the values from before the state", () => {
    const def = {
      StartAt: "A",
      States: {
        A: { Type: "Pass", Assign: { x: 1 }, Next: "B" },
        B: { Type: "Pass", Assign: { x: 2, "old.$": "$x" }, Next: "C" },
        C: { Type: "Pass", Parameters: { "x.$": "$x", "old.$": "$old" }, End: true },
      },
    };
    expect(run(def).output).toEqual({ x: 2, old: 1 });
  });
});
