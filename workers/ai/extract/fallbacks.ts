import { FIELD_SPECS, type FieldSpec } from "./fields.ts";
import { meanConfidence, segmentsOf, textOf, type Line } from "./lines.ts";
import { parseCurrency, parseDate } from "./normalize.ts";
import { readValue } from "./read-value.ts";
import { editDistance } from "./tokens.ts";

/**
 * Values found without a label, at a lower confidence (pure):
 * - a currency: a code or symbol on a total's line first, then anywhere;
 * - `letterhead`: the first phrase near the top that is not a title, date, amount or address
 *   (a vendor, merchant, sender, the buyer on its own purchase order);
 * - `first-date`: the first date on the page (a letter's or a till slip's unlabelled date);
 * - `term-sentence`: "for a term of 12 months";
 * - `between`: the two names of "... between the following parties: <A> of ...; and <B> of ...", or
 *   of "between <A> and <B>".
 */
export interface FallbackValue {
  value: string;
  confidence: number;
  order: number;
}

const TITLES =
  /^(tax |commercial |sales |payment |cash )?(invoice|receipt|purchase order( form)?|contract|agreement|letter)$/i;
const order = (l: Line): number => l.page * 10_000 + l.index;
/** An address, phone or e-mail line of a letterhead (any digit, `@`). */
const ADDRESS = /\d|@/;
/** A country on its own line (the end of an address block). */
const COUNTRIES =
  /^(united kingdom|united states|usa|uk|germany|france|italy|spain|netherlands|belgium|austria|switzerland|ireland|canada|australia)$/i;
/** Headings of the other party's block, which come before the issuer on some layouts. */
const HEADINGS = [
  "bill to",
  "billed to",
  "invoice to",
  "customer",
  "ship to",
  "deliver to",
  "received from",
  "vendor",
  "supplier",
  "buyer",
  "ordered by",
  "to",
];

/** Every label phrase of every type (`issued`, `due date`): a phrase that is only a label is no name. */
const ALL_LABELS = new Set(
  Object.values(FIELD_SPECS).flatMap((specs) =>
    specs.flatMap((s) => s.labels.map((l) => l.replace(/[^a-z ]/g, "").trim())),
  ),
);

/** A label or the heading of a party block (OCR-tolerant: `ShipTo`, `Biled To`). */
export function isHeading(t: string): boolean {
  if (
    ALL_LABELS.has(
      t
        .toLowerCase()
        .replace(/[^a-z ]/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    )
  )
    return true;
  const norm = t
    .toLowerCase()
    .replace(/[^a-z ]/g, "")
    .trim();
  return HEADINGS.some(
    (h) => norm === h || (h.length >= 6 && editDistance(norm.replace(/ /g, ""), h.replace(/ /g, ""), 2) <= 2),
  );
}

function letterhead(lines: readonly Line[]): FallbackValue | undefined {
  for (const l of lines.slice(0, 8)) {
    for (const seg of segmentsOf(l)) {
      const t = textOf(seg).trim();
      const words = t.replace(/[^A-Za-z ]/g, "").trim();
      if (words.replace(/ /g, "").length < 4 || TITLES.test(words) || COUNTRIES.test(words)) continue;
      if (ADDRESS.test(t) || isHeading(t) || parseDate(t) || t.includes(":")) continue;
      if (meanConfidence(seg) < 0.1) continue;
      const read = readValue("name", t);
      if (read) return { value: read.value, confidence: 0.8 * meanConfidence(seg), order: order(l) };
    }
  }
  return undefined;
}

function firstDate(lines: readonly Line[]): FallbackValue | undefined {
  for (const l of lines) {
    const d = parseDate(textOf(l.words));
    if (d)
      return {
        value: d.value,
        confidence: (d.repaired ? 0.65 : 0.8) * meanConfidence(l.words),
        order: order(l),
      };
  }
  return undefined;
}

const TERM_SENTENCE = /\bterm\s+of\s+(\d{1,3}\s+(?:day|week|month|year)s?)\b/i;

function termSentence(lines: readonly Line[]): FallbackValue | undefined {
  for (let i = 0; i < lines.length; i++) {
    const here = lines[i]!;
    const text = `${textOf(here.words)} ${lines[i + 1] ? textOf(lines[i + 1]!.words) : ""}`;
    const m = TERM_SENTENCE.exec(text);
    if (m)
      return {
        value: m[1]!.replace(/\s+/g, " "),
        confidence: 0.9 * meanConfidence(here.words),
        order: order(here),
      };
  }
  return undefined;
}

const cleanName = (s: string): string => s.replace(/\s+/g, " ").replace(/^[\s,;:]+|[\s,;:]+$/g, "");

function between(lines: readonly Line[]): FallbackValue | undefined {
  const at = lines.findIndex((l) => /\bbetween\b/i.test(textOf(l.words)));
  if (at < 0) return undefined;
  const after = textOf(lines[at]!.words)
    .replace(/^.*?\bbetween\b/i, "")
    .trim();
  const inline = /^(.+?)\s+and\s+(.+?)(?:[.(]|$)/i.exec(after);
  if (inline && !/following parties/i.test(after)) {
    return {
      value: `${cleanName(inline[1]!)}; ${cleanName(inline[2]!)}`,
      confidence: 0.8 * meanConfidence(lines[at]!.words),
      order: order(lines[at]!),
    };
  }
  // Block form: "...between the following parties:" (perhaps wrapped), a name line, its "of
  // <address> (the "X"); and" paragraph, the second name line.
  let from = at;
  while (from < at + 3 && !/:\s*$/.test(textOf(lines[from]!.words))) from++;
  const names: Line[] = [];
  let expectName = true;
  for (const l of lines.slice(from + 1, from + 16)) {
    const t = textOf(l.words).trim();
    if (expectName) {
      if (/^of\s/i.test(t)) continue;
      names.push(l);
      expectName = false;
      if (names.length === 2) break;
    } else if (/;\s*and$|\band$/i.test(t)) {
      expectName = true;
    }
  }
  if (names.length < 2) return undefined;
  const conf = 0.9 * Math.min(...names.map((l) => meanConfidence(l.words)));
  return {
    value: names.map((l) => cleanName(textOf(l.words))).join("; "),
    confidence: conf,
    order: order(names[0]!),
  };
}

function currency(lines: readonly Line[]): FallbackValue | undefined {
  const withTotal = lines.filter((l) => /total|amount|due/i.test(textOf(l.words)));
  for (const l of [...withTotal.toReversed(), ...lines]) {
    const c = parseCurrency(textOf(l.words));
    if (c) return { value: c.value, confidence: 0.9 * meanConfidence(l.words), order: order(l) };
  }
  return undefined;
}

export function fallbackValue(spec: FieldSpec, lines: readonly Line[]): FallbackValue | undefined {
  if (spec.kind === "currency") return currency(lines);
  switch (spec.fallback) {
    case "letterhead":
      return letterhead(lines);
    case "first-date":
      return firstDate(lines);
    case "term-sentence":
      return termSentence(lines);
    case "between":
      return between(lines);
    case undefined:
      return undefined;
  }
}
