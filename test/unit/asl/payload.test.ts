import { describe, expect, it } from "vitest";
import { AslError } from "../../../shared/asl/errors.ts";
import type { PathContext } from "../../../shared/asl/path/context.ts";
import { resolvePayload } from "../../../shared/asl/payload.ts";

const ctx: PathContext = {
  input: { a: 1, items: [{ v: 1 }, { v: 2 }] },
  context: { Map: { Item: { Index: 0, Value: "x" } } },
  variables: { name: "Ada" },
};
const deps = { uuid: () => "u", random: () => 0 };

describe("resolvePayload", () => {
  it("evaluates .$ keys (paths, context, variables, intrinsics) and drops the suffix", () => {
    const template = {
      "a.$": "$.a",
      "vs.$": "$.items[*].v",
      "index.$": "$$.Map.Item.Index",
      "who.$": "$name",
      "greeting.$": "States.Format('Hi {}', $name)",
      constant: "$.not.a.path",
      nested: { "deep.$": "$.a", list: [{ "x.$": "$$.Map.Item.Value" }, "$.a", 3] },
    };
    expect(resolvePayload(template, ctx, deps)).toEqual({
      a: 1,
      vs: [1, 2],
      index: 0,
      who: "Ada",
      greeting: "Hi Ada",
      constant: "$.not.a.path",
      nested: { deep: 1, list: [{ x: "x" }, "$.a", 3] },
    });
  });

  it("copies non-object templates and static objects as they are", () => {
    expect(resolvePayload("s", ctx, deps)).toBe("s");
    expect(resolvePayload(null, ctx, deps)).toBeNull();
    expect(resolvePayload({ k: [1, { j: null }] }, ctx, deps)).toEqual({ k: [1, { j: null }] });
  });

  it("re-resolves a cached template against each new context", () => {
    const template = { "a.$": "$.a" };
    expect(resolvePayload(template, ctx, deps)).toEqual({ a: 1 });
    expect(resolvePayload(template, { ...ctx, input: { a: 2 } }, deps)).toEqual({ a: 2 });
  });

  it("fails with States.Runtime naming the field when a path finds nothing", () => {
    expect(() => resolvePayload({ "b.$": "$.b" }, ctx, deps)).toThrow(
      `The JSONPath '$.b' specified for the field 'b.$' could not be found in the input '{"a":1,"items":[{"v":1},{"v":2}]}'`,
    );
    let caught: unknown;
    try {
      resolvePayload({ "b.$": "$.b" }, ctx, deps);
    } catch (err) {
      caught = err;
    }
    expect((caught as AslError).error).toBe("States.Runtime");
  });

  it("surfaces intrinsic failures and rejects non-string .$ values", () => {
    expect(() => resolvePayload({ "x.$": "States.ArrayLength($.a)" }, ctx, deps)).toThrow(AslError);
    expect(() => resolvePayload({ "x.$": 5 }, ctx, deps)).toThrow(AslError);
  });
});
