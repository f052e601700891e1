import { describe, expect, it } from "vitest";
import { parseAmount, parseCurrency, parseDate } from "../../../workers/ai/extract/normalize.ts";

describe("date normalization", () => {
  it.each([
    ["2026-03-04", "2026-03-04"],
    ["2026/3/4", "2026-03-04"],
    ["04.03.2026", "2026-03-04"],
    ["03/04/2026", "2026-03-04"],
    ["13/04/2026", "2026-04-13"],
    ["March 4, 2026", "2026-03-04"],
    ["Mar 4 2026", "2026-03-04"],
    ["4 March 2026", "2026-03-04"],
    ["4th Sept. 2026", "2026-09-04"],
    ["04-Mar-2026", "2026-03-04"],
    ["Date: 2026-12-31 (paid)", "2026-12-31"],
  ])("%s → %s", (text, iso) => {
    expect(parseDate(text)).toEqual({ value: iso, repaired: false });
  });

  it("repairs OCR look-alikes and says so", () => {
    expect(parseDate("2O26-O3-l4")).toEqual({ value: "2026-03-14", repaired: true });
  });

  it.each(["February 30, 2026", "2026-13-01", "no date here", "32.01.2026"])("rejects %s", (text) => {
    expect(parseDate(text)).toBeUndefined();
  });
});

describe("amount normalization", () => {
  it.each([
    ["1,234.56", "1234.56"],
    ["1.234,56", "1234.56"],
    ["1 234,56", "1234.56"],
    ["$1,234.56", "1234.56"],
    ["EUR 1234.5", "1234.50"],
    ["1234.56 EUR", "1234.56"],
    ["12", "12.00"],
    ["1,234", "1234.00"],
    ["Total (2 items): 99.90", "99.90"],
  ])("%s → %s", (text, value) => {
    expect(parseAmount(text)).toEqual({ value, repaired: false });
  });

  it("repairs digit look-alikes in a number", () => {
    expect(parseAmount("1,2O4.S6")).toEqual({ value: "1204.56", repaired: true });
  });

  it("rejects text without a number", () => {
    expect(parseAmount("Total due")).toBeUndefined();
  });
});

describe("currency", () => {
  it.each([
    ["EUR 12.00", "EUR"],
    ["12.00 usd", "USD"],
    ["€ 5", "EUR"],
    ["$5", "USD"],
    ["£5", "GBP"],
  ])("%s → %s", (text, code) => {
    expect(parseCurrency(text)?.value).toBe(code);
  });

  it("does not read a code inside a word", () => {
    expect(parseCurrency("NEURAL NETWORKS")).toBeUndefined();
  });
});
