import { describe, expect, it } from "vitest";
import {
  InvalidDefinitionError,
  loadDefinition,
  validateDefinition,
} from "../../../shared/asl/validate/index.ts";

type Def = Record<string, unknown>;
const machine = (states: Record<string, unknown>, extra: Def = {}): Def => ({
  StartAt: Object.keys(states)[0],
  States: states,
  ...extra,
});
const pointers = (def: unknown): string[] => validateDefinition(def).map((p) => p.pointer);
const pass = { Type: "Pass", End: true };

describe("validateDefinition: valid definitions", () => {
  it("accepts a minimal machine without mutating it", () => {
    const def = machine(
      { A: { Type: "Pass", Next: "B" }, B: { Type: "Succeed" } },
      { Comment: "c", TimeoutSeconds: 60 },
    );
    const copy = structuredClone(def);
    expect(validateDefinition(def)).toEqual([]);
    expect(def).toEqual(copy);
  });

  it("accepts every state type in JSONPath with paths, intrinsics and Retry/Catch", () => {
    const def = machine({
      T: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        InputPath: "$.in",
        Parameters: {
          "x.$": "$.a",
          "f.$": "States.Format('{}', $.b)",
          lit: "v",
          nested: [{ "y.$": "$$.Execution.Id" }],
        },
        ResultSelector: { "r.$": "$.Payload" },
        ResultPath: "$.out",
        OutputPath: "$",
        TimeoutSeconds: 10,
        HeartbeatSeconds: 5,
        Retry: [
          {
            ErrorEquals: ["States.Timeout"],
            IntervalSeconds: 1,
            MaxAttempts: 2,
            BackoffRate: 2,
            JitterStrategy: "FULL",
          },
        ],
        Catch: [{ ErrorEquals: ["States.ALL"], Next: "F", ResultPath: "$.err" }],
        Assign: { count: 1, "who.$": "$.name" },
        Next: "C",
      },
      C: {
        Type: "Choice",
        Choices: [
          { Variable: "$.out", IsPresent: true, Next: "W" },
          {
            And: [
              { Variable: "$.n", NumericGreaterThanPath: "$.m" },
              { Not: { Variable: "$.s", StringMatches: "a*" } },
            ],
            Next: "P",
          },
        ],
        Default: "M",
      },
      W: { Type: "Wait", Timestamp: "2016-03-14T01:59:00Z", Next: "P" },
      P: {
        Type: "Parallel",
        Branches: [machine({ B1: pass }), machine({ B2: { Type: "Succeed" } })],
        Next: "M",
      },
      M: {
        Type: "Map",
        ItemsPath: "$.items",
        MaxConcurrency: 2,
        ItemProcessor: machine({ I: pass }),
        End: true,
      },
      F: { Type: "Fail", ErrorPath: "$.err.Error", CausePath: "States.Format('bad {}', $.err.Cause)" },
    });
    expect(validateDefinition(def)).toEqual([]);
  });

  it("accepts JSONata states", () => {
    const def = machine(
      {
        A: {
          Type: "Pass",
          Output: { x: "{% $states.input.a + 1 %}" },
          Assign: { v: "{% $states.input %}" },
          Next: "C",
        },
        C: {
          Type: "Choice",
          Choices: [
            { Condition: "{% $v.a > 1 %}", Next: "M" },
            { Condition: true, Next: "M" },
          ],
          Default: "M",
        },
        M: {
          Type: "Map",
          Items: "{% [1,2] %}",
          MaxConcurrency: "{% 1 %}",
          ItemProcessor: machine({ I: pass }),
          End: true,
        },
      },
      { QueryLanguage: "JSONata" },
    );
    expect(validateDefinition(def)).toEqual([]);
  });
});

describe("validateDefinition: problems", () => {
  it("rejects non-objects and empty machines", () => {
    expect(pointers(null)).toEqual([""]);
    expect(pointers({ StartAt: "A", States: {} })).toEqual(["/States"]);
  });

  it("reports an unknown Type, a missing StartAt target and unknown top-level fields", () => {
    expect(pointers(machine({ A: { Type: "Bogus", End: true } }))).toEqual(["/States/A/Type"]);
    expect(pointers({ StartAt: "Nope", States: { A: pass } })).toContain("/StartAt");
    expect(pointers({ ...machine({ A: pass }), Extra: 1 })).toEqual(["/Extra"]);
  });

  it("reports missing Next/End, Next to an undefined state and unreachable states", () => {
    expect(pointers(machine({ A: { Type: "Pass" } }))).toEqual(["/States/A"]);
    expect(pointers(machine({ A: { Type: "Pass", Next: "B", End: true }, B: pass }))).toContain("/States/A");
    expect(pointers(machine({ A: { Type: "Pass", Next: "Z" } }))).toEqual(["/States/A/Next"]);
    expect(pointers(machine({ A: pass, B: pass }))).toEqual(["/States/B"]);
    expect(pointers(machine({ A: { Type: "Succeed", Next: "A" } }))).toEqual(["/States/A/Next"]);
  });

  it("reports bad paths, reference paths and intrinsics", () => {
    expect(pointers(machine({ A: { ...pass, InputPath: "a.b" } }))).toEqual(["/States/A/InputPath"]);
    expect(pointers(machine({ A: { ...pass, ResultPath: "$.a[*]" } }))).toEqual(["/States/A/ResultPath"]);
    expect(pointers(machine({ A: { ...pass, Parameters: { deep: { "x.$": "$.[" } } } }))).toEqual([
      "/States/A/Parameters/deep/x.$",
    ]);
    expect(pointers(machine({ A: { ...pass, Parameters: { "x.$": "States.Format('{}'" } } }))).toEqual([
      "/States/A/Parameters/x.$",
    ]);
    expect(pointers(machine({ A: { ...pass, Parameters: { "x.$": 3 } } }))).toEqual([
      "/States/A/Parameters/x.$",
    ]);
  });

  it("reports invalid JSONata", () => {
    const def = machine({ A: { ...pass, Output: { a: ["{% 1 + %}"] } } }, { QueryLanguage: "JSONata" });
    const problems = validateDefinition(def);
    expect(problems.map((p) => p.pointer)).toEqual(["/States/A/Output/a/0"]);
    expect(problems[0]?.message).toMatch(/JSONata/);
  });

  it("reports fields of the other query language, set at top level or per state", () => {
    const jsonata = { QueryLanguage: "JSONata" };
    expect(pointers(machine({ A: { ...pass, Parameters: {}, OutputPath: "$" } }, jsonata))).toEqual([
      "/States/A/Parameters",
      "/States/A/OutputPath",
    ]);
    expect(pointers(machine({ A: { ...pass, QueryLanguage: "JSONata", ResultPath: "$.x" } }))).toEqual([
      "/States/A/ResultPath",
    ]);
    expect(pointers(machine({ A: { ...pass, Output: {} } }))).toEqual(["/States/A/Output"]);
    expect(pointers(machine({ A: { Type: "Task", Resource: "r", Arguments: {}, End: true } }))).toEqual([
      "/States/A/Arguments",
    ]);
    expect(pointers(machine({ A: { ...pass, QueryLanguage: "JSONPath" } }, jsonata))).toEqual([
      "/States/A/QueryLanguage",
    ]);
    const choice = { Type: "Choice", Choices: [{ Variable: "$.a", IsNull: true, Next: "B" }] };
    expect(pointers(machine({ C: choice, B: { Type: "Succeed" } }, jsonata))).toContain(
      "/States/C/Choices/0/Variable",
    );
  });

  it("reports malformed Choice rules", () => {
    const withRule = (rule: unknown) =>
      machine({ C: { Type: "Choice", Choices: [rule], Default: "B" }, B: { Type: "Succeed" } });
    expect(pointers(withRule({ Variable: "$.a", NumericEquals: "1", Next: "B" }))).toEqual([
      "/States/C/Choices/0/NumericEquals",
    ]);
    expect(pointers(withRule({ Variable: "$.a", Next: "B" }))).toEqual(["/States/C/Choices/0"]);
    expect(pointers(withRule({ Not: { Variable: "a", IsNull: true }, Next: "B" }))).toEqual([
      "/States/C/Choices/0/Not/Variable",
    ]);
    expect(pointers(withRule({ Variable: "$.a", IsNull: true }))).toEqual(["/States/C/Choices/0/Next"]);
    expect(pointers(withRule({ Variable: "$.a", IsNull: true, Next: "Z" }))).toEqual([
      "/States/C/Choices/0/Next",
    ]);
  });

  it("reports Retry and Catch shape problems", () => {
    const task = (extra: Def) =>
      machine({ T: { Type: "Task", Resource: "r", End: true, ...extra }, H: pass });
    expect(
      pointers(task({ Retry: [{ ErrorEquals: [] }], Catch: [{ ErrorEquals: ["X"], Next: "H" }] })),
    ).toEqual(["/States/T/Retry/0/ErrorEquals"]);
    expect(
      pointers(
        task({
          Retry: [{ ErrorEquals: ["States.ALL"] }, { ErrorEquals: ["X"] }],
          Catch: [{ ErrorEquals: ["X"], Next: "H" }],
        }),
      ),
    ).toEqual(["/States/T/Retry/0/ErrorEquals"]);
    expect(
      pointers(
        task({
          Retry: [{ ErrorEquals: ["X"], BackoffRate: 0.5, MaxAttempts: -1, Foo: 1 }],
          Catch: [{ ErrorEquals: ["X"], Next: "H" }],
        }),
      ),
    ).toEqual(["/States/T/Retry/0/Foo", "/States/T/Retry/0/MaxAttempts", "/States/T/Retry/0/BackoffRate"]);
    expect(pointers(task({ Catch: [{ ErrorEquals: ["X"], Next: "Nowhere" }] }))).toEqual([
      "/States/T/Catch/0/Next",
      "/States/H",
    ]);
  });

  it("validates Map and Parallel machines recursively, each with its own scope", () => {
    const def = machine({
      M: {
        Type: "Map",
        ItemProcessor: { StartAt: "X", States: { X: { Type: "Pass", Next: "Outer" } } },
        Next: "Outer",
      },
      Outer: {
        Type: "Parallel",
        Branches: [{ StartAt: "Y", States: { Y: { Type: "Wait", End: true } } }],
        End: true,
      },
    });
    expect(pointers(def)).toEqual([
      "/States/M/ItemProcessor/States/X/Next",
      "/States/Outer/Branches/0/States/Y",
    ]);
    expect(pointers(machine({ M: { Type: "Map", End: true } }))).toEqual(["/States/M"]);
    expect(pointers(machine({ P: { Type: "Parallel", Branches: [], End: true } }))).toEqual([
      "/States/P/Branches",
    ]);
  });

  it("reports duplicate state names across scopes and type errors from the schema", () => {
    const def = machine({ A: { Type: "Parallel", Branches: [machine({ A: pass })], End: true } });
    expect(pointers(def)).toEqual(["/States/A/Branches/0/States/A"]);
    expect(
      pointers(machine({ T: { Type: "Task", Resource: "r", TimeoutSecondsPath: 5, End: true } })),
    ).toEqual(["/States/T/TimeoutSecondsPath"]);
    expect(pointers(machine({ W: { Type: "Wait", Timestamp: "2016-03-14 01:59:00", End: true } }))).toEqual([
      "/States/W/Timestamp",
    ]);
  });

  it("escapes pointer tokens", () => {
    expect(pointers(machine({ "a/b~c": { Type: "Pass" } }))).toEqual(["/States/a~1b~0c"]);
  });
});

describe("loadDefinition", () => {
  it("parses and validates, throwing InvalidDefinitionError with every problem", () => {
    expect(loadDefinition(JSON.stringify(machine({ A: pass })))).toEqual(machine({ A: pass }));
    expect(() => loadDefinition("{")).toThrow(InvalidDefinitionError);
    try {
      loadDefinition(JSON.stringify(machine({ A: { Type: "Pass" }, B: pass })));
    } catch (e) {
      expect((e as InvalidDefinitionError).problems.map((p) => p.pointer)).toEqual([
        "/States/A",
        "/States/B",
      ]);
    }
  });
});
