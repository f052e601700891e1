import { describe, expect, it } from "vitest";
import { compileStringMatches } from "../../../shared/asl/choice/string-matches.ts";

const matches = (pattern: string, value: string): boolean => compileStringMatches(pattern)(value);

describe("StringMatches patterns", () => {
  it("matches literally without wildcards", () => {
    expect(matches("log.txt", "log.txt")).toBe(true);
    expect(matches("log.txt", "logatxt")).toBe(false);
    expect(matches("", "")).toBe(true);
  });

  it("treats * as any run of characters, including none and newlines", () => {
    expect(matches("*.log", "a.log")).toBe(true);
    expect(matches("*.log", ".log")).toBe(true);
    expect(matches("*.log", "a.log.gz")).toBe(false);
    expect(matches("a*b*c", "a\nxxb\tc")).toBe(true);
    expect(matches("*", "")).toBe(true);
  });

  it("escapes * and \\ with a backslash", () => {
    expect(matches("a\\*b", "a*b")).toBe(true);
    expect(matches("a\\*b", "axb")).toBe(false);
    expect(matches("a\\\\*", "a\\anything")).toBe(true);
    expect(matches("a\\\\*", "ab")).toBe(false);
  });

  it("leaves regex metacharacters literal", () => {
    expect(matches("(a|b)+[x]?$*", "(a|b)+[x]?$zz")).toBe(true);
    expect(matches("a.c*", "abc")).toBe(false);
  });
});
