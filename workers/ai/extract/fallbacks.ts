import type { FieldSpec } from "./fields.ts";
import { meanConfidence, textOf, type Line } from "./lines.ts";
import { parseAmount, parseCurrency, parseDate } from "./normalize.ts";
import { readValue } from "./read-value.ts";

/**
 * Values found without a label, at a lower confidence: a currency anywhere on the page (a total's
 * line first), the letterhead (the first line of text that is not a title, date or amount) for a
 * vendor, merchant or sender, the name after `Dear` for a letter's recipient, and the two names
 * around `between ... and ...` for a contract's parties. Pure.
 */
export interface FallbackValue {
  value: string;
  confidence: number;
  order: number;
}

const TITLES =
  /^(invoice|tax invoice|receipt|sales receipt|purchase order|contract|agreement|service agreement|letter)$/i;
const order = (l: Line): number => l.page * 10_000 + l.index;

export function fallbackValue(spec: FieldSpec, lines: readonly Line[]): FallbackValue | undefined {
  if (spec.kind === "currency") {
    const withTotal = lines.filter((l) => /total|amount|due/i.test(textOf(l.words)));
    for (const l of [...withTotal.toReversed(), ...lines]) {
      const c = parseCurrency(textOf(l.words));
      if (c) return { value: c.value, confidence: 0.9 * meanConfidence(l.words), order: order(l) };
    }
    return undefined;
  }
  if (spec.fallback === "letterhead") {
    const first = lines.find((l) => {
      const t = textOf(l.words).trim();
      return (
        /[A-Za-z]{2}/.test(t) &&
        !TITLES.test(t) &&
        !parseDate(t) &&
        !(parseAmount(t) && !/[A-Za-z]{3}/.test(t))
      );
    });
    const read = first && readValue("name", textOf(first.words));
    return read && { value: read.value, confidence: 0.75 * meanConfidence(first.words), order: order(first) };
  }
  if (spec.fallback === "addressee") {
    for (const l of lines) {
      const m = /^dear\s+(.+?)[,:]?$/i.exec(textOf(l.words).trim());
      if (m) return { value: m[1]!, confidence: 0.7 * meanConfidence(l.words), order: order(l) };
    }
    return undefined;
  }
  if (spec.fallback === "between") {
    const text = lines.map((l) => textOf(l.words)).join(" ");
    const m = /\bbetween\s+(.+?)\s+(?:\(.*?\)\s+)?and\s+(.+?)(?:\s+\(|[.,;]|$)/i.exec(text);
    if (m) return { value: `${m[1]!.trim()}; ${m[2]!.trim()}`, confidence: 0.8, order: 0 };
    return undefined;
  }
  return undefined;
}
