import type { ClassifiedType } from "../classify/model.ts";
import type { LayoutWord, PageLayout } from "../layout.ts";
import { FIELD_SPECS, type FieldSpec } from "./fields.ts";
import { linesOf, meanConfidence, WORD_GAP, type Line } from "./lines.ts";
import { readValue } from "./read-value.ts";
import { findLabels, type LabelHit } from "./tokens.ts";
import { valueCandidates, type ValueCandidate } from "./values.ts";
import { fallbackValue, isHeading } from "./fallbacks.ts";

/**
 * Field extraction from page layouts (pure): for each field of the document's type, find its label
 * phrases on the page (tokens.ts), take the value to the right on the same line or directly below
 * (values.ts), validate and normalize it for the field's kind (read-value.ts), and score it:
 *
 *   confidence = label match quality × √(label words' OCR confidence) × place (right 1, below 0.92)
 *                × value quality (1 parsed, 0.8 OCR-repaired, 0.95 free text)
 *                × mean OCR confidence of the value's words (1 for a text layer)
 *
 * A label claimed by a longer label of another field (`Due Date` vs `Date`) is not used twice. The
 * best-scoring candidate wins; among equals the first on the page, except totals (the last `Total`
 * line is the grand total). Without a labelled value a field may still be found unlabelled
 * (fallbacks.ts: the letterhead, the first date, the parties block) at a lower confidence; a field
 * with neither is `{value: null, confidence: 0}`. The document's confidence is the minimum over its
 * fields.
 */
export interface ExtractedField {
  value: string | null;
  confidence: number;
}

export interface Extraction {
  type: ClassifiedType;
  fields: Record<string, ExtractedField>;
  confidence: number;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

interface Scored {
  value: string;
  confidence: number;
  order: number;
}

const wordKey = (line: Line, word: number): string => `${line.page}:${line.index}:${word}`;

/**
 * Each field's label hits, keeping only hits that start a phrase (first on the line or after a
 * column gap: a label, not a word in a sentence) and whose words no longer label of any field
 * already covers. Also returns the words every kept label covers.
 */
function claimHits(
  lines: readonly Line[],
  specs: readonly FieldSpec[],
): { hits: Map<string, LabelHit[]>; labelWords: Set<string> } {
  const all = specs.flatMap((spec) => findLabels(lines, spec.labels).map((hit) => ({ spec, hit })));
  all.sort((a, b) => b.hit.label.length - a.hit.label.length || b.hit.quality - a.hit.quality);
  const labelWords = new Set<string>();
  const hits = new Map<string, LabelHit[]>(specs.map((s) => [s.name, []]));
  for (const { spec, hit } of all) {
    const words = hit.line.words;
    const startsPhrase =
      hit.firstWord === 0 || words[hit.firstWord]!.x0 - words[hit.firstWord - 1]!.x1 > WORD_GAP;
    if (!startsPhrase) continue;
    const keys: string[] = [];
    for (let w = hit.firstWord; w <= hit.lastWord; w++) keys.push(wordKey(hit.line, w));
    if (keys.some((k) => labelWords.has(k))) continue;
    keys.forEach((k) => labelWords.add(k));
    hits.get(spec.name)!.push(hit);
  }
  return { hits, labelWords };
}

const FREE_TEXT = new Set(["name", "text", "parties"]);

/** The text a candidate offers for a field, or undefined when the field cannot take it. */
function candidateText(
  spec: FieldSpec,
  hit: LabelHit,
  cand: ValueCandidate,
  labelWords: ReadonlySet<string>,
): { text: string; words: LayoutWord[] } | undefined {
  if (!FREE_TEXT.has(spec.kind)) {
    const words = cand.rest;
    return { text: [cand.inlineText, ...words.map((w) => w.text)].filter((t) => t !== "").join(" "), words };
  }
  if (cand.place === "right" && !cand.separated && !spec.inline) return undefined;
  const first = cand.phrase[0];
  if (cand.inlineText === "" && first) {
    const line = cand.place === "right" ? hit.line : undefined;
    if (line && labelWords.has(wordKey(line, line.words.indexOf(first)))) return undefined;
  }
  const words = cand.phrase;
  const text = [cand.inlineText, ...words.map((w) => w.text)].filter((t) => t !== "").join(" ");
  return isHeading(text) ? undefined : { text, words };
}

function candidatesFor(
  spec: FieldSpec,
  hits: readonly LabelHit[],
  lines: readonly Line[],
  labelWords: ReadonlySet<string>,
): Scored[] {
  const out: Scored[] = [];
  for (const hit of hits) {
    const labelConf = meanConfidence(hit.line.words.slice(hit.firstWord, hit.lastWord + 1));
    for (const cand of valueCandidates(hit, lines)) {
      const picked = candidateText(spec, hit, cand, labelWords);
      if (!picked) continue;
      const read = readValue(spec.kind, picked.text);
      if (!read) continue;
      const place = cand.place === "right" ? 1 : 0.92;
      const confidence =
        hit.quality * Math.sqrt(labelConf) * place * read.quality * meanConfidence(picked.words);
      out.push({ value: read.value, confidence, order: hit.line.page * 10_000 + hit.line.index });
      break; // the value to the right wins over the one below when both read
    }
  }
  return out;
}

function best(spec: FieldSpec, cands: readonly Scored[]): Scored | undefined {
  const preferLast = spec.kind === "amount";
  let top: Scored | undefined;
  for (const c of cands) {
    if (!top) top = c;
    else if (c.confidence > top.confidence + 1e-9) top = c;
    else if (
      Math.abs(c.confidence - top.confidence) <= 1e-9 &&
      (preferLast ? c.order > top.order : c.order < top.order)
    )
      top = c;
  }
  return top;
}

export function extractFields(type: ClassifiedType, layouts: readonly PageLayout[]): Extraction {
  const specs = type === "other" ? [] : FIELD_SPECS[type];
  const pages = layouts.toSorted((a, b) => a.page - b.page);
  const lines = pages.flatMap((p) => linesOf(p));
  const { hits, labelWords } = claimHits(lines, specs);
  const fields: Record<string, ExtractedField> = {};
  for (const spec of specs) {
    const found =
      best(spec, candidatesFor(spec, hits.get(spec.name)!, lines, labelWords)) ?? fallbackValue(spec, lines);
    fields[spec.name] = found
      ? { value: found.value, confidence: round3(found.confidence) }
      : { value: null, confidence: 0 };
  }
  const confidences = Object.values(fields).map((f) => f.confidence);
  return { type, fields, confidence: confidences.length === 0 ? 0 : Math.min(...confidences) };
}
