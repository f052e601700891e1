import { describe, expect, it } from "vitest";
import { wordAccuracy, words } from "../../../bench/accuracy/word-accuracy.ts";

describe("wordAccuracy", () => {
  it("counts truth words found, ignoring surrounding punctuation, order and extra noise", () => {
    expect(wordAccuracy("Total: 1234.56 EUR\nThank you", "~ you Thank | Total 1234.56 EUR .")).toEqual({
      matched: 5,
      words: 5,
    });
  });

  it("a misread and a missing word each cost one; a repeated word is matched once per occurrence", () => {
    expect(wordAccuracy("INV-2031 due due now", "INV-2O31 due")).toEqual({ matched: 1, words: 4 });
  });

  it("splits on whitespace and keeps inner punctuation", () => {
    expect(words("  (Acme, Ltd.)  1,234.56\n")).toEqual(["Acme", "Ltd", "1,234.56"]);
  });
});
