import { describe, expect, it } from "vitest";
import { compileJsonata } from "../../../shared/asl/jsonata/expression.ts";
import { withJsonataDeps } from "../../../shared/asl/jsonata/extras.ts";
import { desugarAsync, syncJsonata } from "../../../shared/asl/jsonata/sync-jsonata.ts";
import { compileTemplate } from "../../../shared/asl/jsonata/template.ts";
import { T0, run, single } from "./engine-helpers.ts";

const deps = { now: () => T0, random: () => 0.5, uuid: () => "uuid-1" };
const evalJ = (src: string, input: unknown = {}, vars: Record<string, unknown> = {}): unknown =>
  withJsonataDeps(deps, () => compileJsonata(src).evaluate({ input }, vars));

describe("synchronous jsonata", () => {
  it("removes async/await from the package source", () => {
    expect(
      desugarAsync("async function f() { return await Promise.all(xs.map(async (x) => await g(x))); }"),
    ).toBe("function f() { return (xs.map((x) => g(x))); }");
  });

  it("evaluates without Promises, including higher-order functions and sorting", () => {
    const j = syncJsonata();
    expect(j("$sort([3, 1, 2], function($a, $b) { $a > $b })").evaluate(null)).toEqual([1, 2, 3]);
    expect(j("$reduce([1, 2, 3], function($acc, $v) { $acc + $v }, 0)").evaluate(null)).toBe(6);
    const r = j("items[price > 5].name").evaluate({
      items: [
        { name: "a", price: 3 },
        { name: "b", price: 9 },
      ],
    });
    expect(r).toBe("b");
  });
});

describe("Step Functions JSONata extras", () => {
  it("$partition, $range, $hash, $parse, $random, $uuid and $now", () => {
    expect(evalJ("$partition([1,2,3,4,5], 2)")).toEqual([[1, 2], [3, 4], [5]]);
    expect(evalJ("$range(0, 10, 5)")).toEqual([0, 5, 10]);
    expect(evalJ("$range(1, 2, 5)")).toBe(1);
    expect(evalJ("$hash('abc', 'SHA-256')")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(evalJ("$parse('{\"a\": [1]}')")).toEqual({ a: [1] });
    expect(evalJ("$random()")).toBe(0.5);
    expect(evalJ("$uuid()")).toBe("uuid-1");
    expect(evalJ("$now()")).toBe(new Date(T0).toISOString());
  });

  it("binds $states and variables, and returns plain JSON", () => {
    expect(evalJ("$states.input.a + $x", { a: 1 }, { x: 2 })).toBe(3);
    const out = evalJ("[1,2].{'v': $}") as unknown[];
    expect(Array.isArray(out) && Object.getPrototypeOf(out[0])).toBe(Object.prototype);
  });
});

describe("templates", () => {
  it("evaluates {% %} leaves anywhere in a structure and keeps literals", () => {
    const t = compileTemplate(
      { a: "{% 1 + 1 %}", b: ["x", "{% $v %}"], c: { d: "plain {% not %}" } },
      "Output",
    );
    expect(withJsonataDeps(deps, () => t({ input: {} }, { v: true }))).toEqual({
      a: 2,
      b: ["x", true],
      c: { d: "plain {% not %}" },
    });
  });

  it("names the field when an expression returns nothing", () => {
    const t = compileTemplate({ result: "{% $nothing %}" }, "Output");
    expect(() => withJsonataDeps(deps, () => t({ input: {} }, {}))).toThrow(
      "The JSONata expression '$nothing' specified for the field 'Output/result' returned nothing (undefined).",
    );
  });
});

describe("JSONata states", () => {
  const J = { QueryLanguage: "JSONata" };

  it("Task Arguments and Output see $states.input and $states.result; Assign sets variables", () => {
    const def = {
      ...J,
      StartAt: "T",
      States: {
        T: {
          Type: "Task",
          Resource: "r",
          Arguments: { n: "{% $states.input.n * 2 %}" },
          Output: { got: "{% $states.result %}", was: "{% $states.input.n %}" },
          Assign: { last: "{% $states.result %}" },
          Next: "P",
        },
        P: { Type: "Pass", Output: "{% [$states.input.got, $last] %}", End: true },
      },
    };
    const r = run(def, { n: 3 }, { taskHandler: (t) => (t.input as { n: number }).n + 1 });
    expect(r.output).toEqual([7, 7]);
  });

  it("Choice Condition, Wait Seconds and Fail Error/Cause expressions", () => {
    const def = {
      ...J,
      StartAt: "C",
      States: {
        C: { Type: "Choice", Choices: [{ Condition: "{% $states.input.go %}", Next: "W" }], Default: "F" },
        W: { Type: "Wait", Seconds: "{% $states.input.s %}", Next: "Done" },
        F: { Type: "Fail", Error: "{% 'E' & $states.input.s %}", Cause: "{% 'no go' %}" },
        Done: { Type: "Succeed" },
      },
    };
    expect(run(def, { go: true, s: 7 }).elapsedMs).toBe(7000);
    expect(run(def, { go: false, s: 7 })).toMatchObject({ error: "E7", cause: "no go" });
    expect(run(def, { go: "yes", s: 7 }).error).toBe("States.QueryEvaluationError");
  });

  it("Catch Output sees $states.errorOutput", () => {
    const def = {
      ...J,
      StartAt: "T",
      States: {
        T: {
          Type: "Task",
          Resource: "r",
          Catch: [{ ErrorEquals: ["States.ALL"], Output: "{% $states.errorOutput.Error %}", Next: "E" }],
          End: true,
        },
        E: { Type: "Succeed" },
      },
    };
    expect(run(def, {}).output).toBe("States.TaskFailed");
  });

  it("Map Items, ItemSelector with $states.context.Map.Item and a JSONata MaxConcurrency", () => {
    const def = single(
      {
        Type: "Map",
        Items: "{% $states.input.xs %}",
        MaxConcurrency: "{% 1 %}",
        ItemSelector: {
          v: "{% $states.context.Map.Item.Value %}",
          i: "{% $states.context.Map.Item.Index %}",
        },
        ItemProcessor: { StartAt: "P", States: { P: { Type: "Pass", End: true } } },
      },
      J,
    );
    expect(run(def, { xs: ["a", "b"] }).output).toEqual([
      { v: "a", i: 0 },
      { v: "b", i: 1 },
    ]);
    const bad = run(
      single(
        {
          Type: "Map",
          Items: "{% 5 %}",
          ItemProcessor: { StartAt: "P", States: { P: { Type: "Pass", End: true } } },
        },
        J,
      ),
    );
    expect(bad.error).toBe("States.QueryEvaluationError");
  });

  it("mixes query languages per state", () => {
    const def = {
      StartAt: "A",
      States: {
        A: { Type: "Pass", Parameters: { "v.$": "$.x" }, Assign: { y: 5 }, Next: "B" },
        B: { Type: "Pass", QueryLanguage: "JSONata", Output: "{% $states.input.v + $y %}", End: true },
      },
    };
    expect(run(def, { x: 1 }).output).toBe(6);
  });
});
