import { describe, expect, it } from "vitest";
import { AslError } from "../../../shared/asl/errors.ts";
import { applyResultPath } from "../../../shared/asl/path/reference.ts";

describe("applyResultPath", () => {
  const input = Object.freeze({ a: Object.freeze({ keep: 1 }), list: Object.freeze([1, { x: 1 }]) });

  it("$ or absent replaces the input; null discards the result", () => {
    expect(applyResultPath(input, "r", "$")).toBe("r");
    expect(applyResultPath(input, "r", undefined)).toBe("r");
    expect(applyResultPath(input, "r", null)).toBe(input);
  });

  it("writes into a copy, creating intermediate objects, without mutating the input", () => {
    expect(applyResultPath(input, 5, "$.a.b")).toEqual({ a: { keep: 1, b: 5 }, list: [1, { x: 1 }] });
    expect(applyResultPath(input, 5, "$.new.deep.er")).toEqual({ ...input, new: { deep: { er: 5 } } });
    expect(applyResultPath(input, 5, "$.a")).toEqual({ a: 5, list: [1, { x: 1 }] });
    expect(applyResultPath(input, 7, "$.list[1].x")).toEqual({ a: { keep: 1 }, list: [1, { x: 7 }] });
    expect(applyResultPath(input, 7, "$['odd key']")).toEqual({ ...input, "odd key": 7 });
    expect(input).toEqual({ a: { keep: 1 }, list: [1, { x: 1 }] });
  });

  it("fails with States.ResultPathMatchFailure when the input cannot hold the result", () => {
    for (const [value, path] of [
      ["text", "$.a"],
      [[1, 2], "$.a"],
      [{ a: "text" }, "$.a.b"],
      [{ a: [1] }, "$.a[3]"],
      [{ a: 1 }, "$.a[*]"],
    ] as const) {
      let caught: unknown;
      try {
        applyResultPath(value, 1, path);
      } catch (err) {
        caught = err;
      }
      expect(caught, path).toBeInstanceOf(AslError);
      expect((caught as AslError).error).toBe("States.ResultPathMatchFailure");
    }
  });

  it("names the path and input in the cause", () => {
    expect(() => applyResultPath("text", 1, "$.a")).toThrow(
      'Unable to apply ReferencePath $.a to input "text"',
    );
  });
});
