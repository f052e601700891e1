import { describe, expect, it } from "vitest";
import { wordAccuracy, words } from "../../../bench/accuracy/word-accuracy.ts";

describe("wordAccuracy", () => {
  it("counts truth words found in order, ignoring surrounding punctuation and extra noise", () => {
    expect(wordAccuracy("Total: 1234.56 EUR\nThank you", "~ Total 1234.56 EUR | Thank you .")).toEqual({
      matched: 5,
      words: 5,
    });
  });

  it("a misread word, a missing word and a swapped pair (one of two) each cost one", () => {
    expect(wordAccuracy("INV-2031 due 2026-04-13 now", "INV-2O31 2026-04-13 due")).toEqual({
      matched: 1,
      words: 4,
    });
  });

  it("splits on whitespace and keeps inner punctuation", () => {
    expect(words("  (Acme, Ltd.)  1,234.56\n")).toEqual(["Acme", "Ltd", "1,234.56"]);
  });
});
