import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AslError } from "../../../shared/asl/errors.ts";
import type { PathContext } from "../../../shared/asl/path/context.ts";
import { checkPathSyntax, evaluatePath } from "../../../shared/asl/path/jsonpath.ts";

const ctxOf = (input: unknown, variables: Record<string, unknown> = {}): PathContext => ({
  input,
  context: { Execution: { Input: input, Id: "exec-1" }, Map: { Item: { Index: 2 } } },
  variables,
});

const store = {
  name: "shop",
  "delivery-partner": "UQS",
  items: [
    { id: 1, price: 5, tags: ["a"] },
    { id: 2, price: 15, tags: [] },
    { id: 3, price: 25 },
  ],
  nested: { a: { id: 9 } },
};
const ctx = ctxOf(store, { answer: { value: 42 }, flag: false });

function failure(fn: () => unknown): AslError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AslError) return err;
    throw err;
  }
  throw new Error("expected an AslError");
}

describe("evaluatePath — definite paths", () => {
  it("selects root, names, indexes and bracketed names", () => {
    expect(evaluatePath("$", ctx)).toBe(store);
    expect(evaluatePath("$.name", ctx)).toBe("shop");
    expect(evaluatePath("$.items[1].id", ctx)).toBe(2);
    expect(evaluatePath("$['items'][0]['price']", ctx)).toBe(5);
    expect(evaluatePath("$.delivery-partner", ctx)).toBe("UQS");
    expect(evaluatePath('$["delivery-partner"]', ctx)).toBe("UQS");
  });

  it("supports negative indexes", () => {
    expect(evaluatePath("$.items[-1].id", ctx)).toBe(3);
  });

  it("keeps backslashes that do not escape the quote in bracketed names", () => {
    const key = 'Test\\""Name"';
    expect(evaluatePath(`$['${key}']`, ctxOf({ [key]: "v" }))).toBe("v");
    expect(evaluatePath("$['it\\'s']", ctxOf({ "it's": 1 }))).toBe(1);
  });

  it("reads the context object and variables", () => {
    expect(evaluatePath("$$", ctx)).toEqual(ctx.context);
    expect(evaluatePath("$$.Execution.Id", ctx)).toBe("exec-1");
    expect(evaluatePath("$$.Map.Item.Index", ctx)).toBe(2);
    expect(evaluatePath("$answer", ctx)).toEqual({ value: 42 });
    expect(evaluatePath("$answer.value", ctx)).toBe(42);
    expect(evaluatePath("$flag", ctx)).toBe(false);
  });

  it("throws States.Runtime with AWS's cause when nothing matches", () => {
    const err = failure(() => evaluatePath("$.NoSuchInputPath", ctx));
    expect(err.error).toBe("States.Runtime");
    expect(err.cause).toBe("Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']");
    expect(failure(() => evaluatePath("$.items[7]", ctx)).error).toBe("States.Runtime");
    expect(failure(() => evaluatePath("$.name.length", ctx)).error).toBe("States.Runtime");
    expect(failure(() => evaluatePath("$nope", ctx)).error).toBe("States.Runtime");
  });

  it("returns undefined for a miss when allowMissing is set", () => {
    expect(evaluatePath("$.missing.deeper", ctx, { allowMissing: true })).toBeUndefined();
    expect(evaluatePath("$nope.x", ctx, { allowMissing: true })).toBeUndefined();
  });

  it("does not see inherited properties", () => {
    expect(evaluatePath("$.constructor", ctx, { allowMissing: true })).toBeUndefined();
    expect(evaluatePath("$.toString", ctxOf({}), { allowMissing: true })).toBeUndefined();
  });
});

describe("evaluatePath — indefinite paths", () => {
  it("wildcards over arrays and objects", () => {
    expect(evaluatePath("$.items[*].id", ctx)).toEqual([1, 2, 3]);
    expect(evaluatePath("$.nested.*", ctx)).toEqual([{ id: 9 }]);
    expect(evaluatePath("$[*]", ctxOf({})), "no match is an empty list").toEqual([]);
  });

  it("skips elements lacking the property", () => {
    expect(evaluatePath("$.items[*].tags", ctx)).toEqual([["a"], []]);
  });

  it("slices like Python, including negative bounds and steps", () => {
    const arr = ctxOf({ a: [0, 1, 2, 3, 4, 5] });
    expect(evaluatePath("$.a[1:3]", arr)).toEqual([1, 2]);
    expect(evaluatePath("$.a[:2]", arr)).toEqual([0, 1]);
    expect(evaluatePath("$.a[4:]", arr)).toEqual([4, 5]);
    expect(evaluatePath("$.a[-2:]", arr)).toEqual([4, 5]);
    expect(evaluatePath("$.a[::2]", arr)).toEqual([0, 2, 4]);
    expect(evaluatePath("$.a[::-2]", arr)).toEqual([5, 3, 1]);
    expect(evaluatePath("$.a[10:20]", arr)).toEqual([]);
    expect(evaluatePath("$.missing[1:5].x", arr)).toEqual([]);
  });

  it("unions of indexes and names", () => {
    expect(evaluatePath("$.items[0,2].id", ctx)).toEqual([1, 3]);
    expect(evaluatePath("$.nested.a['id','x']", ctx)).toEqual([9]);
  });

  it("descends recursively in document order", () => {
    expect(evaluatePath("$..id", ctx)).toEqual([1, 2, 3, 9]);
    expect(evaluatePath("$..items[0].price", ctx)).toEqual([5]);
  });

  it("filters with comparisons, logic, existence and regexes", () => {
    const ids = (p: string): unknown => (evaluatePath(p, ctx) as { id: number }[]).map((x) => x.id);
    expect(ids("$.items[?(@.price > 10)]")).toEqual([2, 3]);
    expect(ids("$.items[?(@.price >= 15 && @.price < 25)]")).toEqual([2]);
    expect(ids("$.items[?(@.id == 1 || @.id == 3)]")).toEqual([1, 3]);
    expect(ids("$.items[?(!(@.id == 1))]")).toEqual([2, 3]);
    expect(ids("$.items[?(@.tags)]")).toEqual([1, 2]);
    expect(ids("$.items[?(@.id != 2)]")).toEqual([1, 3]);
    expect(ids("$.items[?(@.id in [2, 3])]")).toEqual([2, 3]);
    expect(ids("$.items[?(@.price < $.items[1].price)]")).toEqual([1]);
    const names = ctxOf({ u: [{ n: "anna" }, { n: "bob" }, { n: "Alex" }] });
    expect(evaluatePath("$.u[?(@.n =~ /^a.*/i)].n", names)).toEqual(["anna", "Alex"]);
    expect(evaluatePath("$.u[?(@.n == 'bob')].n", names)).toEqual(["bob"]);
    expect(evaluatePath('$.u[?(@.n == "bob")].n', names)).toEqual(["bob"]);
    const users = ctxOf({
      users: [
        { year: 1997, status: 0 },
        { year: 1998, status: 1 },
      ],
    });
    expect(evaluatePath("$.users[?(@.status == 0)]", users)).toEqual([{ year: 1997, status: 0 }]);
  });

  it("mismatched types never compare", () => {
    const mixed = ctxOf({ a: [{ v: "10" }, { v: 10 }, { v: null }] });
    expect(evaluatePath("$.a[?(@.v > 5)].v", mixed)).toEqual([10]);
    expect(evaluatePath("$.a[?(@.v == null)].v", mixed)).toEqual([null]);
  });
});

describe("checkPathSyntax", () => {
  it("accepts paths with any root and selector", () => {
    for (const p of [
      "$",
      "$.a",
      "$$.Execution.Input",
      "$var.x",
      "$.a[*].b",
      "$..x",
      "$.a[?(@.x > 1)]",
      "$.a[1:2]",
    ]) {
      expect(checkPathSyntax(p, "path"), p).toBeUndefined();
    }
  });

  it("rejects malformed paths", () => {
    for (const p of ["", "a.b", "$.", "$.a[", "$.a[?(@.x >)]", "$.a['x]", "$[1:2:0]", "$.a b"]) {
      expect(checkPathSyntax(p, "path"), p).toMatch(/./);
    }
  });

  it("reference paths are definite and rooted at $", () => {
    expect(checkPathSyntax("$.a.b[0]", "reference")).toBeUndefined();
    expect(checkPathSyntax("$", "reference")).toBeUndefined();
    for (const p of ["$$.Execution", "$var", "$.a[*]", "$..a", "$.a[0:1]"]) {
      expect(checkPathSyntax(p, "reference"), p).toMatch(/./);
    }
  });

  it("a definite path built from any keys finds its value", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1 }).filter((k) => !k.includes("'") && !k.includes("\\")),
          { minLength: 1, maxLength: 4 },
        ),
        fc.jsonValue(),
        (keys, leaf) => {
          const input = keys.reduceRight<unknown>((acc, k) => ({ [k]: acc }), leaf);
          const path = "$" + keys.map((k) => `['${k}']`).join("");
          expect(evaluatePath(path, ctxOf(input))).toEqual(leaf);
        },
      ),
    );
  });
});
