import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AslError } from "../../../shared/asl/errors.ts";
import type { PathContext } from "../../../shared/asl/path/context.ts";
import { compileChoiceRule } from "../../../shared/asl/choice/index.ts";
import { InvalidDefinitionError } from "../../../shared/asl/validate/problems.ts";

const compile = (rule: unknown) => compileChoiceRule(rule, "/States/C/Choices/0");
const ctxOf = (input: unknown): PathContext => ({
  input,
  context: { Execution: { Input: input } },
  variables: {},
});
const run = (rule: Record<string, unknown>, variable: unknown, value?: unknown): boolean =>
  compile({ Variable: "$.v", ...rule })(
    ctxOf(value === undefined ? { v: variable } : { v: variable, w: value }),
  );

const SAMPLES: unknown[] = [
  null,
  0,
  0.0,
  1,
  1.1,
  "",
  " ",
  "x",
  "2012-10-09T19:00:55Z",
  [],
  [""],
  {},
  { A: 0 },
  false,
  true,
];

describe("comparison operators", () => {
  it("NumericEquals compares numbers by value and is false for other types", () => {
    expect(run({ NumericEquals: 1 }, 1.0)).toBe(true);
    expect(run({ NumericEquals: 2.22 }, 2.22)).toBe(true);
    for (const v of ["1", true, null, [1], { a: 1 }]) expect(run({ NumericEquals: 1 }, v)).toBe(false);
  });

  it("numeric relations agree with arithmetic, literal and Path forms alike", () => {
    const ops = {
      NumericLessThan: (a: number, b: number) => a < b,
      NumericGreaterThan: (a: number, b: number) => a > b,
      NumericLessThanEquals: (a: number, b: number) => a <= b,
      NumericGreaterThanEquals: (a: number, b: number) => a >= b,
      NumericEquals: (a: number, b: number) => a === b,
    };
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: -5, max: 5 }),
        (a, b) => {
          for (const [op, f] of Object.entries(ops)) {
            expect(run({ [op]: b }, a)).toBe(f(a, b));
            expect(run({ [`${op}Path`]: "$.w" }, a, b)).toBe(f(a, b));
          }
        },
      ),
    );
  });

  it("string relations compare by code unit and are false for non-strings", () => {
    expect(run({ StringEquals: "Hello" }, "Hello")).toBe(true);
    expect(run({ StringEquals: "\t\r\n" }, "\t\n")).toBe(false);
    expect(run({ StringLessThan: "AB" }, "A")).toBe(true);
    expect(run({ StringGreaterThan: "A " }, "A")).toBe(false);
    expect(run({ StringGreaterThanEquals: "" }, "")).toBe(true);
    expect(run({ StringLessThanEquals: "a" }, "B")).toBe(true);
    expect(run({ StringLessThanPath: "$.w" }, "A", "AB")).toBe(true);
    for (const v of SAMPLES.filter((s) => typeof s !== "string"))
      expect(run({ StringGreaterThanEquals: "" }, v)).toBe(false);
  });

  it("StringMatches uses wildcards and is false for non-strings", () => {
    expect(run({ StringMatches: "log-*.txt" }, "log-2024.txt")).toBe(true);
    expect(run({ StringMatches: "log-*.txt" }, "log-2024.csv")).toBe(false);
    expect(run({ StringMatches: "*" }, 5)).toBe(false);
  });

  it("BooleanEquals is strict", () => {
    expect(run({ BooleanEquals: true }, true)).toBe(true);
    expect(run({ BooleanEquals: false }, false)).toBe(true);
    expect(run({ BooleanEqualsPath: "$.w" }, false, false)).toBe(true);
    for (const v of [0, 1, "true", null, []]) expect(run({ BooleanEquals: true }, v)).toBe(false);
  });

  it("Timestamp relations compare instants across offsets; non-timestamps are false", () => {
    const t0 = "2012-10-09T19:00:55Z";
    expect(run({ TimestampEquals: t0 }, "2012-10-09T20:00:55+01:00")).toBe(true);
    expect(run({ TimestampLessThan: "2012-10-09T19:00:56Z" }, t0)).toBe(true);
    expect(run({ TimestampGreaterThanEquals: t0 }, t0)).toBe(true);
    expect(run({ TimestampLessThanEqualsPath: "$.w" }, "2012-10-09T19:00:56Z", t0)).toBe(false);
    expect(run({ TimestampGreaterThanPath: "$.w" }, "2012-10-09T19:00:56Z", t0)).toBe(true);
    for (const v of [...SAMPLES.filter((s) => s !== t0), "2023-02-24 12:15:56.832957"]) {
      expect(run({ TimestampEquals: t0 }, v)).toBe(false);
    }
    expect(run({ TimestampEqualsPath: "$.w" }, t0, "not a time")).toBe(false);
  });
});

describe("type tests", () => {
  const expectations: Record<string, (v: unknown) => boolean> = {
    IsNull: (v) => v === null,
    IsNumeric: (v) => typeof v === "number",
    IsString: (v) => typeof v === "string",
    IsBoolean: (v) => typeof v === "boolean",
    IsTimestamp: (v) => v === "2012-10-09T19:00:55Z",
    IsPresent: () => true,
  };
  for (const [op, f] of Object.entries(expectations)) {
    it(`${op} true/false over every JSON type`, () => {
      for (const v of SAMPLES) {
        expect(run({ [op]: true }, v)).toBe(f(v));
        expect(run({ [op]: false }, v)).toBe(!f(v));
      }
    });
  }

  it("IsPresent is false for a missing path, without error", () => {
    expect(compile({ Variable: "$.nope", IsPresent: true })(ctxOf({}))).toBe(false);
    expect(compile({ Variable: "$.nope", IsPresent: false })(ctxOf({}))).toBe(true);
  });
});

describe("missing paths", () => {
  const failure = (rule: unknown, input: unknown): AslError => {
    try {
      compile(rule)(ctxOf(input));
    } catch (e) {
      if (e instanceof AslError) return e;
      throw e;
    }
    throw new Error("expected a failure");
  };

  it.each(["IsNull", "IsString", "IsNumeric", "IsBoolean", "IsTimestamp"])(
    "%s on a missing Variable fails with States.Runtime",
    (op) => {
      const e = failure({ Variable: "$.missing", [op]: true }, {});
      expect(e.error).toBe("States.Runtime");
      expect(e.cause).toBe(
        "Invalid path '$.missing': The choice state's condition path references an invalid value.",
      );
    },
  );

  it("comparisons on a missing Variable or operand path fail with States.Runtime", () => {
    expect(failure({ Variable: "$.missing", StringEquals: "x" }, {}).error).toBe("States.Runtime");
    expect(failure({ Variable: "$.v", NumericEqualsPath: "$.w" }, { v: 1 }).cause).toContain("'$.w'");
  });

  it("And short-circuits past a rule that would fail", () => {
    const rule = {
      And: [
        { Variable: "$.v", IsPresent: true },
        { Variable: "$.v", NumericEquals: 3 },
      ],
    };
    expect(compile(rule)(ctxOf({}))).toBe(false);
    expect(compile(rule)(ctxOf({ v: 3 }))).toBe(true);
  });
});

describe("And / Or / Not", () => {
  const between = {
    And: [
      { Variable: "$.v", NumericGreaterThanEquals: 20 },
      { Variable: "$.v", NumericLessThan: 30 },
    ],
    Next: "X",
  };

  it("combine nested rules", () => {
    expect(compile(between)(ctxOf({ v: 25 }))).toBe(true);
    expect(compile(between)(ctxOf({ v: 30 }))).toBe(false);
    const notPrivate = compile({ Not: { Variable: "$.v", StringEquals: "Private" }, Next: "P" });
    expect(notPrivate(ctxOf({ v: "Public" }))).toBe(true);
    expect(notPrivate(ctxOf({ v: "Private" }))).toBe(false);
    const either = compile({
      Or: [between, { Variable: "$.v", IsString: true }].map(
        ({ Next: _n, ...r }: Record<string, unknown>) => r,
      ),
    });
    expect(either(ctxOf({ v: "s" }))).toBe(true);
    expect(either(ctxOf({ v: 21 }))).toBe(true);
    expect(either(ctxOf({ v: 1 }))).toBe(false);
  });

  it("allows Comment on nested rules", () => {
    const rule = compile({
      Not: { Comment: "why", Variable: "$.v", IsNull: true },
      Comment: "top",
      Next: "X",
    });
    expect(rule(ctxOf({ v: 1 }))).toBe(true);
  });

  it("a singleton And is its member", () => {
    expect(compile({ And: [{ Variable: "$.v", StringEquals: "Public" }] })(ctxOf({ v: "Public" }))).toBe(
      true,
    );
  });

  it("reads variables", () => {
    const rule = compile({ Variable: "$guess", StringEqualsPath: "$answer", Next: "Ok" });
    expect(rule({ input: {}, context: {}, variables: { guess: "a", answer: "a" } })).toBe(true);
    expect(rule({ input: {}, context: {}, variables: { guess: "a", answer: "b" } })).toBe(false);
  });

  it("reads the context object", () => {
    expect(compile({ Variable: "$$.Execution.Input.v", NumericLessThanEquals: 0 })(ctxOf({ v: -1 }))).toBe(
      true,
    );
  });
});

describe("malformed rules", () => {
  it.each([
    [null, "/States/C/Choices/0"],
    [{ Variable: "$.v" }, "/States/C/Choices/0"],
    [{ Variable: "$.v", StringEquals: 1 }, "/States/C/Choices/0/StringEquals"],
    [{ Variable: "$.v", NumericEquals: "1" }, "/States/C/Choices/0/NumericEquals"],
    [{ Variable: "$.v", TimestampEquals: "yesterday" }, "/States/C/Choices/0/TimestampEquals"],
    [{ Variable: "$.v", IsNull: "yes" }, "/States/C/Choices/0/IsNull"],
    [{ Variable: "$.v", BooleanLessThan: true }, "/States/C/Choices/0"],
    [{ Variable: "$.v", StringEquals: "a", NumericEquals: 1 }, "/States/C/Choices/0"],
    [{ StringEquals: "a" }, "/States/C/Choices/0/Variable"],
    [{ And: [] }, "/States/C/Choices/0/And"],
    [{ And: [{ Variable: "$.v", IsNull: true, Next: "X" }] }, "/States/C/Choices/0/And/0"],
    [{ Not: { Variable: "$.v", Foo: 1 } }, "/States/C/Choices/0/Not"],
  ])("rejects %j at %s", (rule, pointer) => {
    try {
      compile(rule);
      expect.unreachable("should throw");
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidDefinitionError);
      expect((e as InvalidDefinitionError).problems[0]?.pointer).toBe(pointer);
    }
  });
});
