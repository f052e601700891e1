import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AslError } from "../../../shared/asl/errors.ts";
import {
  checkIntrinsicSyntax,
  evaluateIntrinsic,
  isIntrinsic,
} from "../../../shared/asl/intrinsics/index.ts";
import type { PathContext } from "../../../shared/asl/path/context.ts";

const input = {
  s: "a,b",
  n: 3,
  arr: [1, 2, 3],
  obj: { k: "v" },
  tmpl: "It's {}!",
};
const ctx: PathContext = { input, context: { Execution: { Input: input } }, variables: { who: "Pikachu" } };
const deps = { uuid: () => "uuid-1", random: () => 0.5 };
const ev = (expr: string): unknown => evaluateIntrinsic(expr, ctx, deps);

function failure(expr: string): AslError {
  try {
    ev(expr);
  } catch (err) {
    if (err instanceof AslError) return err;
    throw err;
  }
  throw new Error(`expected ${expr} to fail`);
}

describe("intrinsic parsing", () => {
  it("recognises intrinsic calls", () => {
    expect(isIntrinsic("States.Array()")).toBe(true);
    expect(isIntrinsic("$.a")).toBe(false);
  });

  it("parses literals of every kind, paths and nested calls", () => {
    expect(ev("States.Array('x', 1, -2.5, 1e2, true, false, null)")).toEqual([
      "x",
      1,
      -2.5,
      100,
      true,
      false,
      null,
    ]);
    expect(ev("States.Array($.n, $$.Execution.Input.s, $who, $)")).toEqual([3, "a,b", "Pikachu", input]);
    expect(ev("States.ArrayLength(States.StringSplit(States.Format('{},{}', $.s, 'c'), ','))")).toBe(3);
    expect(ev("  States.Array( 1 ,2 )  ")).toEqual([1, 2]);
    expect(ev("States.Array($.arr[0], $['obj']['k'], $.arr[?(@ > 1)])")).toEqual([1, "v", [2, 3]]);
  });

  it("unescapes string literals", () => {
    expect(ev("States.Array('it\\'s', 'back\\\\slash', '\\{\\}')")).toEqual(["it's", "back\\slash", "{}"]);
  });

  it("reports syntax and arity problems", () => {
    for (const bad of [
      "States.Nope()",
      "States.Array(",
      "States.Array('open)",
      "States.Array(1 2)",
      "States.Array(bare)",
      "States.Array($.)",
      "States.UUID(1)",
      "States.ArrayGetItem($.arr)",
      "States.Array() trailing",
    ]) {
      expect(checkIntrinsicSyntax(bad), bad).toMatch(/./);
      expect(failure(bad).error, bad).toBe("States.IntrinsicFailure");
    }
    expect(checkIntrinsicSyntax("States.Format('{}', $.a)")).toBeUndefined();
  });

  it("limits nesting to 10 calls", () => {
    const nest = (n: number): string => (n === 0 ? "1" : `States.Array(${nest(n - 1)})`);
    expect(checkIntrinsicSyntax(nest(10))).toBeUndefined();
    expect(checkIntrinsicSyntax(nest(11))).toMatch(/nested/);
  });

  it("a missing path argument is a States.Runtime failure", () => {
    expect(failure("States.Array($.missing)").error).toBe("States.Runtime");
  });
});

describe("States.Format", () => {
  it("fills placeholders in order", () => {
    expect(ev("States.Format('{} and {}', $.n, 'x')")).toBe("3 and x");
    expect(ev("States.Format($.tmpl, $who)")).toBe("It's Pikachu!");
  });

  it("prints non-strings the Java way", () => {
    expect(ev("States.Format('{}|{}|{}|{}', null, true, 1.5, $.arr)")).toBe("null|true|1.5|[1, 2, 3]");
    expect(
      ev('States.Format(\'{}\', States.StringToJson(\'{"Arg1": 1, "Arg2": [], "o": {"s": "t"}}\'))'),
    ).toBe("{Arg1=1, Arg2=[], o={s=t}}");
  });

  it("treats escaped braces as text", () => {
    expect(ev("States.Format('\\{\\} {}', 'x')")).toBe("{} x");
  });

  it("fails when placeholders and values disagree or the template is not a string", () => {
    expect(failure("States.Format('{} {}', 1)").error).toBe("States.IntrinsicFailure");
    expect(failure("States.Format('{}', 1, 2)").error).toBe("States.IntrinsicFailure");
    expect(failure("States.Format($.n)").error).toBe("States.IntrinsicFailure");
  });
});

describe("array intrinsics", () => {
  it("Array, ArrayLength, ArrayGetItem, ArrayContains", () => {
    expect(ev("States.Array()")).toEqual([]);
    expect(ev("States.ArrayLength($.arr)")).toBe(3);
    expect(ev("States.ArrayGetItem($.arr, 2)")).toBe(3);
    expect(ev('States.ArrayContains(States.Array($.obj, 1), States.StringToJson(\'{"k":"v"}\'))')).toBe(true);
    expect(ev("States.ArrayContains($.arr, '1')")).toBe(false);
    expect(failure("States.ArrayGetItem($.arr, 3)").error).toBe("States.IntrinsicFailure");
    expect(failure("States.ArrayGetItem($.arr, 1.5)").error).toBe("States.IntrinsicFailure");
    expect(failure("States.ArrayLength($.obj)").error).toBe("States.IntrinsicFailure");
  });

  it("ArrayPartition chunks with a positive size", () => {
    expect(ev("States.ArrayPartition($.arr, 2)")).toEqual([[1, 2], [3]]);
    expect(ev("States.ArrayPartition(States.Array(), 2)")).toEqual([]);
    expect(failure("States.ArrayPartition($.arr, 0)").error).toBe("States.IntrinsicFailure");
  });

  it("ArrayRange includes the end, steps both ways and caps at 1000 items", () => {
    expect(ev("States.ArrayRange(0, 10, 3)")).toEqual([0, 3, 6, 9]);
    expect(ev("States.ArrayRange(1, 9, 9)")).toEqual([1]);
    expect(ev("States.ArrayRange(5, 1, -2)")).toEqual([5, 3, 1]);
    expect(ev("States.ArrayRange(1, 5, -1)")).toEqual([]);
    expect((ev("States.ArrayRange(1, 1000, 1)") as unknown[]).length).toBe(1000);
    expect(failure("States.ArrayRange(0, 1000, 1)").error).toBe("States.IntrinsicFailure");
    expect(failure("States.ArrayRange(0, 5, 0)").error).toBe("States.IntrinsicFailure");
  });

  it("ArrayUnique keeps first occurrences by deep equality", () => {
    const arr = [null, null, 1, 1, "a", "a", [], [], { a: 1, b: 2 }, { b: 2, a: 1 }, { a: 2 }];
    const c: PathContext = { ...ctx, input: { arr } };
    expect(evaluateIntrinsic("States.ArrayUnique($.arr)", c, deps)).toEqual([
      null,
      1,
      "a",
      [],
      { a: 1, b: 2 },
      { a: 2 },
    ]);
  });
});

describe("string, JSON, encoding and hashing intrinsics", () => {
  it("StringSplit splits on any delimiter character and drops empty tokens", () => {
    expect(ev("States.StringSplit(', , ,', ',')")).toEqual([" ", " "]);
    expect(ev("States.StringSplit('This.is+a,test', '.+,')")).toEqual(["This", "is", "a", "test"]);
    expect(ev("States.StringSplit(',,,', ',')")).toEqual([]);
    expect(failure("States.StringSplit($.n, ',')").error).toBe("States.IntrinsicFailure");
  });

  it("StringToJson and JsonToString round-trip compactly", () => {
    expect(ev("States.StringToJson(' ')")).toBeNull();
    expect(ev("States.StringToJson('-0')")).toBe(0);
    expect(ev("States.StringToJson('[1, \"a\"]')")).toEqual([1, "a"]);
    expect(ev("States.JsonToString($.obj)")).toBe('{"k":"v"}');
    expect(ev("States.JsonToString('x')")).toBe('"x"');
    expect(failure("States.StringToJson('{bad')").error).toBe("States.IntrinsicFailure");
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const c: PathContext = { ...ctx, input: { value } };
        const text = evaluateIntrinsic("States.JsonToString($.value)", c, deps);
        expect(text).toBe(JSON.stringify(value));
      }),
    );
  });

  it("JsonMerge merges shallowly, or deeply when asked", () => {
    const c: PathContext = { ...ctx, input: { a: { x: { p: 1 }, y: 1 }, b: { x: { q: 2 }, z: 3 } } };
    expect(evaluateIntrinsic("States.JsonMerge($.a, $.b, false)", c, deps)).toEqual({
      x: { q: 2 },
      y: 1,
      z: 3,
    });
    expect(evaluateIntrinsic("States.JsonMerge($.a, $.b, true)", c, deps)).toEqual({
      x: { p: 1, q: 2 },
      y: 1,
      z: 3,
    });
    expect(failure("States.JsonMerge($.arr, $.obj, false)").error).toBe("States.IntrinsicFailure");
    expect(failure("States.JsonMerge($.obj, $.obj, 'no')").error).toBe("States.IntrinsicFailure");
  });

  it("Base64Encode/Decode use UTF-8 and validate input", () => {
    expect(ev("States.Base64Encode('Data to encode')")).toBe("RGF0YSB0byBlbmNvZGU=");
    expect(ev("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')")).toBe("Data to encode");
    expect(ev("States.Base64Decode(States.Base64Encode('héllo ✓'))")).toBe("héllo ✓");
    expect(failure("States.Base64Decode('not base64!')").error).toBe("States.IntrinsicFailure");
    const long: PathContext = { ...ctx, input: { s: "x".repeat(10_001) } };
    expect(() => evaluateIntrinsic("States.Base64Encode($.s)", long, deps)).toThrow(AslError);
  });

  it("Hash supports the five AWS algorithms", () => {
    expect(ev("States.Hash('input data', 'MD5')")).toBe("812f45842bc6d66ee14572ce20db8e86");
    expect(ev("States.Hash('input data', 'SHA-1')")).toBe("aaff4a450a104cd177d28d18d74485e8cae074b7");
    expect(ev("States.Hash('input data', 'SHA-256')")).toBe(
      "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3",
    );
    expect(ev("States.Hash('x', 'SHA-384')")).toHaveLength(96);
    expect(ev("States.Hash('x', 'SHA-512')")).toHaveLength(128);
    expect(failure("States.Hash('x', 'sha256')").error).toBe("States.IntrinsicFailure");
  });
});

describe("math and identity intrinsics", () => {
  it("MathAdd rounds each argument half up before adding", () => {
    expect(ev("States.MathAdd(-9, 3)")).toBe(-6);
    expect(ev("States.MathAdd(1.49, 1.5)")).toBe(3);
    expect(ev("States.MathAdd(-1.5, -1.51)")).toBe(-3);
    expect(ev("States.MathAdd(-0.5, 0)")).toBe(0);
    expect(Object.is(ev("States.MathAdd(-0.5, 0)"), 0)).toBe(true);
    expect(failure("States.MathAdd('1', 2)").error).toBe("States.IntrinsicFailure");
    expect(failure("States.MathAdd(2147483648, 0)").error).toBe("States.IntrinsicFailure");
  });

  it("MathRandom draws from deps.random, or deterministically from a seed", () => {
    expect(ev("States.MathRandom(0, 10)")).toBe(5);
    const seeded = ev("States.MathRandom(1, 1000, 42)");
    expect(seeded).toBe(ev("States.MathRandom(1, 1000, 42)"));
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer(),
        (start, width, seed) => {
          const v = ev(`States.MathRandom(${start}, ${start + width}, ${seed})`) as number;
          expect(Number.isInteger(v) && v >= start && v < start + width).toBe(true);
        },
      ),
    );
    expect(failure("States.MathRandom(5, 5)").error).toBe("States.IntrinsicFailure");
  });

  it("UUID comes from deps", () => {
    expect(ev("States.UUID()")).toBe("uuid-1");
  });
});
