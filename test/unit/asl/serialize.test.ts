/**
 * The incremental checkpoint serializer and the chunked fan-out results: serializeExecution must
 * write exactly JSON.stringify's text for every state, whatever order states are serialized in,
 * and recording a child's result must share every untouched results chunk.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allResults, resultChunkSize, withResult } from "../../../shared/asl/engine/results.ts";
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
} from "../../../shared/asl/index.ts";
import type { ExecutionState, TaskEffect } from "../../../shared/asl/types.ts";
import { OPTS, testDeps } from "./engine-helpers.ts";

const task = (resource: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Type: "Task",
  Resource: resource,
  ...extra,
});

const MACHINES: Record<string, { def: unknown; input: unknown }> = {
  "map with tasks and tolerated failures": {
    input: { big: "x".repeat(400), xs: Array.from({ length: 90 }, (_, i) => i) },
    def: {
      StartAt: "M",
      States: {
        M: {
          Type: "Map",
          ItemsPath: "$.xs",
          MaxConcurrency: 7,
          ToleratedFailureCount: 200,
          ItemProcessor: {
            StartAt: "T",
            States: {
              T: task("work", { Next: "P" }),
              P: { Type: "Pass", Parameters: { "r.$": "$", pad: "y".repeat(300) }, End: true },
            },
          },
          ResultPath: "$.out",
          End: true,
        },
      },
    },
  },
  "parallel of maps": {
    input: { a: [1, 2, 3, 4, 5], b: Array.from({ length: 40 }, (_, i) => ({ i })) },
    def: {
      StartAt: "Par",
      States: {
        Par: {
          Type: "Parallel",
          Branches: [
            {
              StartAt: "MA",
              States: {
                MA: {
                  Type: "Map",
                  ItemsPath: "$.a",
                  ItemProcessor: { StartAt: "TA", States: { TA: task("a", { End: true }) } },
                  End: true,
                },
              },
            },
            {
              StartAt: "MB",
              States: {
                MB: {
                  Type: "Map",
                  ItemsPath: "$.b",
                  MaxConcurrency: 3,
                  ItemProcessor: {
                    StartAt: "W",
                    States: {
                      W: { Type: "Wait", Seconds: 1, Next: "TB" },
                      TB: task("b", { End: true }),
                    },
                  },
                  End: true,
                },
              },
            },
            { StartAt: "C", States: { C: task("c", { End: true }) } },
          ],
          End: true,
        },
      },
    },
  },
  "jsonata map with items and batches": {
    input: { xs: Array.from({ length: 50 }, (_, i) => ({ n: i })) },
    def: {
      QueryLanguage: "JSONata",
      StartAt: "M",
      States: {
        M: {
          Type: "Map",
          Items: "{% $states.input.xs %}",
          ItemBatcher: { MaxItemsPerBatch: 3 },
          MaxConcurrency: 4,
          ItemProcessor: { StartAt: "T", States: { T: task("batch", { End: true }) } },
          Assign: { count: "{% $count($states.result) %}" },
          Next: "Done",
        },
        Done: { Type: "Pass", Output: "{% {'n': $count} %}", End: true },
      },
    },
  },
};

function perform(t: TaskEffect, c: number): { ok: true; value: unknown } | { ok: false } {
  if (t.resource === "work" && c % 5 === 0) return { ok: false };
  return { ok: true, value: { from: t.resource, input: t.input } };
}

/** Runs an execution with tasks completed in an order driven by `choices`; returns every state. */
function states(machine: CompiledMachine, input: unknown, choices: number[]): ExecutionState[] {
  const deps = testDeps();
  let exec = startExecution(machine, input, OPTS);
  const seen = [exec];
  const outstanding: TaskEffect[] = [];
  for (let i = 0; i < 20_000 && !exec.end; i++) {
    const c = choices[i % choices.length] ?? 0;
    const r = step(machine, exec, deps);
    for (const e of r.effects) if (e.kind === "task") outstanding.push(e);
    if (r.state !== exec) exec = r.state;
    else if (outstanding.length > 0) {
      const [t] = outstanding.splice(c % outstanding.length, 1);
      const o = perform(t!, c);
      exec = o.ok
        ? completeTask(machine, exec, t!.taskId, o.value)
        : failTask(machine, exec, t!.taskId, "Boom", "c");
    } else deps.clock.now = Math.max(deps.clock.now, wakeAt(exec) ?? deps.clock.now);
    seen.push(exec);
  }
  expect(exec.end).toBeDefined();
  return seen;
}

describe("serializeExecution", () => {
  for (const [name, { def, input }] of Object.entries(MACHINES)) {
    it(`${name}: writes JSON.stringify's text for every state, in any order`, () => {
      const machine = compileMachine(def);
      fc.assert(
        fc.property(
          fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }),
          fc.array(fc.nat(), { maxLength: 30 }),
          (choices, revisits) => {
            const all = states(machine, input, choices);
            for (const s of all) expect(serializeExecution(s)).toBe(JSON.stringify(s));
            // Earlier states again (their parts were replaced in the serializer's memory since).
            for (const r of revisits) {
              const s = all[r % all.length]!;
              expect(serializeExecution(s)).toBe(JSON.stringify(s));
            }
            // A reloaded checkpoint is a new object tree: serialized afresh, same text.
            const mid = JSON.parse(JSON.stringify(all[all.length >> 1])) as ExecutionState;
            expect(serializeExecution(mid)).toBe(JSON.stringify(mid));
          },
        ),
        { numRuns: 15 },
      );
    });
  }

  it("lets the driver resume from a serialized checkpoint after every transition", () => {
    const { def, input } = MACHINES["parallel of maps"]!;
    const machine = compileMachine(def);
    const taskHandler = (t: TaskEffect): unknown => ({ r: t.resource });
    const plain = runToCompletionSync(machine, input, { taskHandler });
    let reloads = 0;
    const resumed = runToCompletionSync(machine, input, {
      taskHandler,
      onState: (s) => {
        reloads++;
        return JSON.parse(serializeExecution(s)) as ExecutionState;
      },
    });
    expect(reloads).toBeGreaterThan(100);
    expect(resumed.status).toBe("succeeded");
    expect(resumed.output).toEqual(plain.output);
  });

  it("serializes interleaved executions of one machine correctly", () => {
    const { def, input } = MACHINES["map with tasks and tolerated failures"]!;
    const machine = compileMachine(def);
    const a = states(machine, input, [3, 1, 4, 1, 5]);
    const b = states(machine, input, [2, 7, 1, 8]);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      for (const s of [a[Math.min(i, a.length - 1)]!, b[Math.min(i, b.length - 1)]!])
        expect(serializeExecution(s)).toBe(JSON.stringify(s));
    }
  });
});

describe("chunked fan-out results", () => {
  it("uses chunks of about √n, at least 16", () => {
    expect(resultChunkSize(3)).toBe(16);
    expect(resultChunkSize(1000)).toBe(32);
    expect(resultChunkSize(40_000)).toBe(200);
  });

  it("records a result by copying only its chunk and the chunk list", () => {
    const n = 100;
    const cs = resultChunkSize(n);
    let out: unknown[][] = [];
    for (const i of [0, 1, 99, 40, 2]) out = withResult(out, cs, n, i, { i });
    expect(out.map((c) => c.length)).toEqual([16, 16, 16, 16, 16, 16, 4]);
    const next = withResult(out, cs, n, 41, "x");
    expect(next).not.toBe(out);
    next.forEach((c, k) => (k === 2 ? expect(c).not.toBe(out[k]) : expect(c).toBe(out[k])));
    expect(out[2]![9]).toBeNull(); // the previous state is untouched
    const all = allResults(next, n);
    expect(all).toHaveLength(n);
    expect(all.slice(0, 3)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    expect([all[40], all[41], all[99], all[50]]).toEqual([{ i: 40 }, "x", { i: 99 }, null]);
  });

  it("keeps a Map's checkpoint free of item copies and shares finished chunks between states", () => {
    const machine = compileMachine({
      StartAt: "M",
      States: {
        M: {
          Type: "Map",
          ItemsPath: "$.xs",
          ItemProcessor: { StartAt: "P", States: { P: { Type: "Pass", End: true } } },
          End: true,
        },
      },
    });
    const input = { xs: Array.from({ length: 300 }, (_, i) => i) };
    let exec = startExecution(machine, input, OPTS);
    const deps = testDeps();
    for (let i = 0; i < 400; i++) exec = step(machine, exec, deps).state;
    const before = exec.root;
    exec = step(machine, step(machine, exec, deps).state, deps).state;
    expect(exec.root.in).toBe(input); // the items are read again from the input, not copied
    expect(exec.root.fan!.items).toBeUndefined();
    const [a, b] = [before.fan!.out, exec.root.fan!.out];
    expect(a.slice(0, -1).every((chunk, k) => chunk === b[k])).toBe(true);
  });
});
