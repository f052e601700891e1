/**
 * Property: an execution interrupted at arbitrary transitions, round-tripped through JSON (as a
 * checkpoint in MongoDB would be: JSON.stringify or the incremental serializeExecution, which must
 * give the same text at every step) and resumed, with its outstanding tasks completed in arbitrary
 * order, ends exactly as an uninterrupted run does.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileMachine,
  completeTask,
  failTask,
  runToCompletionSync,
  serializeExecution,
  startExecution,
  step,
  wakeAt,
  type CompiledMachine,
  TaskFailure,
} from "../../../shared/asl/index.ts";
import type { ExecutionState, TaskEffect } from "../../../shared/asl/types.ts";
import { OPTS, T0, testDeps } from "./engine-helpers.ts";

/** Deterministic task semantics: doubles numbers; "flaky" fails its first attempt. */
function perform(
  task: TaskEffect,
): { ok: true; value: unknown } | { ok: false; error: string; cause: string } {
  const input = task.input as { n?: number; flaky?: boolean } | number;
  if (typeof input === "object" && input !== null && input.flaky && task.attempt === 0) {
    return { ok: false, error: "Flaky", cause: `attempt ${task.attempt}` };
  }
  if (typeof input === "number") return { ok: true, value: input * 2 };
  return { ok: true, value: { doubled: (input?.n ?? 0) * 2, resource: task.resource } };
}

const MACHINES: Record<string, { def: unknown; input: unknown }> = {
  parallel: {
    input: { n: 3, flaky: true },
    def: {
      StartAt: "Par",
      States: {
        Par: {
          Type: "Parallel",
          Branches: [
            {
              StartAt: "A1",
              States: {
                A1: {
                  Type: "Task",
                  Resource: "a",
                  Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 3 }],
                  Next: "A2",
                },
                A2: { Type: "Wait", Seconds: 5, End: true },
              },
            },
            {
              StartAt: "B1",
              States: { B1: { Type: "Task", Resource: "b", Parameters: { "n.$": "$.n" }, End: true } },
            },
            {
              StartAt: "C1",
              States: {
                C1: {
                  Type: "Choice",
                  Choices: [{ Variable: "$.n", NumericGreaterThan: 1, Next: "C2" }],
                  Default: "C3",
                },
                C2: { Type: "Task", Resource: "c", Parameters: { "n.$": "$.n" }, End: true },
                C3: { Type: "Pass", End: true },
              },
            },
          ],
          Next: "Done",
        },
        Done: { Type: "Pass", Parameters: { "all.$": "$" }, End: true },
      },
    },
  },
  map: {
    input: { xs: [1, 2, 3, 4, 5, 6, 7] },
    def: {
      StartAt: "Init",
      States: {
        Init: { Type: "Pass", Assign: { factor: 10 }, Next: "M" },
        M: {
          Type: "Map",
          ItemsPath: "$.xs",
          MaxConcurrency: 3,
          ItemSelector: { "n.$": "$$.Map.Item.Value", "flaky.$": "States.MathAdd($$.Map.Item.Index, 0)" },
          ItemProcessor: {
            StartAt: "T",
            States: {
              T: {
                Type: "Task",
                Resource: "work",
                Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 1, JitterStrategy: "FULL" }],
                Next: "Scale",
              },
              Scale: { Type: "Pass", Parameters: { "v.$": "States.MathAdd($.doubled, $factor)" }, End: true },
            },
          },
          ResultPath: "$.out",
          End: true,
        },
      },
    },
  },
  jsonata: {
    input: { items: [{ n: 1 }, { n: 2, flaky: true }, { n: 3 }] },
    def: {
      QueryLanguage: "JSONata",
      StartAt: "M",
      States: {
        M: {
          Type: "Map",
          Items: "{% $states.input.items %}",
          ItemProcessor: {
            StartAt: "T",
            States: {
              T: {
                Type: "Task",
                Resource: "j",
                Arguments: "{% $states.input %}",
                Catch: [
                  {
                    ErrorEquals: ["Flaky"],
                    Output: "{% {'caught': $states.errorOutput.Error} %}",
                    Next: "Caught",
                  },
                ],
                Output: "{% $states.result.doubled %}",
                End: true,
              },
              Caught: { Type: "Pass", End: true },
            },
          },
          Assign: { total: "{% $count($states.result) %}" },
          Next: "Sum",
        },
        Sum: { Type: "Pass", Output: "{% {'r': $states.input, 'count': $total} %}", End: true },
      },
    },
  },
};

function reference(machine: CompiledMachine, input: unknown): unknown {
  const r = runToCompletionSync(machine, input, {
    startMs: T0,
    execution: OPTS,
    deps: { random: () => 0.25, uuid: () => "u" },
    taskHandler: (task) => {
      const o = perform(task);
      if (!o.ok) throw new TaskFailure(o.error, o.cause);
      return o.value;
    },
  });
  return r.state.end;
}

function interrupted(machine: CompiledMachine, input: unknown, choices: number[]): unknown {
  const deps = { ...testDeps(), random: () => 0.25, uuid: () => "u" };
  let exec: ExecutionState = startExecution(machine, input, OPTS);
  const outstanding: TaskEffect[] = [];
  let i = 0;
  for (let guard = 0; guard < 10_000 && !exec.end; guard++) {
    const c = choices[i++ % Math.max(choices.length, 1)] ?? 0;
    // Every state is checkpointed; the incremental serializer must write JSON.stringify's text.
    const text = serializeExecution(exec);
    expect(text).toBe(JSON.stringify(exec));
    if (c % 4 === 0) {
      // Reload the checkpoint, as another worker would.
      exec = JSON.parse(text) as ExecutionState;
    }
    if (outstanding.length > 0 && c % 3 === 0) {
      const [task] = outstanding.splice(c % outstanding.length, 1);
      const o = perform(task!);
      exec = o.ok
        ? completeTask(machine, exec, task!.taskId, o.value)
        : failTask(machine, exec, task!.taskId, o.error, o.cause);
      continue;
    }
    const r = step(machine, exec, deps);
    for (const e of r.effects) if (e.kind === "task") outstanding.push(e);
    if (r.state === exec) {
      if (outstanding.length > 0) {
        const [task] = outstanding.splice(c % outstanding.length, 1);
        const o = perform(task!);
        exec = o.ok
          ? completeTask(machine, exec, task!.taskId, o.value)
          : failTask(machine, exec, task!.taskId, o.error, o.cause);
      } else {
        deps.clock.now = Math.max(deps.clock.now, wakeAt(exec) ?? deps.clock.now);
      }
    } else {
      exec = r.state;
    }
  }
  return exec.end;
}

describe("resume from checkpoints", () => {
  for (const [name, { def, input }] of Object.entries(MACHINES)) {
    it(`${name}: interrupted, serialized and resumed runs end like an uninterrupted one`, () => {
      const machine = compileMachine(def);
      const expected = reference(machine, input);
      expect(expected).toMatchObject({ ok: true });
      fc.assert(
        fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 60 }), (choices) => {
          expect(interrupted(machine, input, choices)).toEqual(expected);
        }),
        { numRuns: 150 },
      );
    });
  }
});
