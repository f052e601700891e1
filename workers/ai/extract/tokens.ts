import type { LayoutWord } from "../layout.ts";
import type { Line } from "./lines.ts";

/**
 * Label matching on a line's words: each word becomes one or more comparable tokens (lower case,
 * surrounding punctuation dropped, a `#` split off, dotted abbreviations split: `No.:` → `no`,
 * `Invoice#` → `invoice #`, `P.O.` → `p o`), and a
 * label (a token sequence such as `invoice no`) matches a run of tokens exactly, or fuzzily with one
 * edit per token of four letters or more (OCR's `lnvoice`, `Tota1`). Pure.
 */
export interface Token {
  text: string;
  /** Index of the word in its line. */
  word: number;
}

export function tokensOf(words: readonly LayoutWord[]): Token[] {
  const out: Token[] = [];
  words.forEach((w, word) => {
    const parts = w.text
      .toLowerCase()
      .replace(/#/g, " # ")
      .replace(/\.(?=\S)/g, ". ")
      .split(/\s+/)
      .map((p) => (p === "#" ? p : p.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")))
      .filter((p) => p !== "");
    for (const p of parts) out.push({ text: p, word });
  });
  return out;
}

/** Levenshtein distance, stopping early above `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Match quality of one token against a label token: 1 exact, 0.85 one OCR edit, 0 none. */
export function tokenMatch(token: string, label: string): number {
  if (token === label) return 1;
  if (label.length >= 4 && editDistance(token, label, 1) <= 1) return 0.85;
  return 0;
}

export interface LabelHit {
  line: Line;
  /** Word indexes (in the line) the label covers, first and last. */
  firstWord: number;
  lastWord: number;
  /** Index of the token after the label (the value may start inside the label's last word). */
  nextToken: number;
  quality: number;
  label: string;
}

/** Every place on `lines` where one of `labels` (space-separated token sequences) occurs. */
export function findLabels(lines: readonly Line[], labels: readonly string[]): LabelHit[] {
  const hits: LabelHit[] = [];
  const seqs = labels.map((l) => ({ label: l, toks: l.split(" ") }));
  for (const line of lines) {
    const toks = tokensOf(line.words);
    for (let i = 0; i < toks.length; i++) {
      for (const { label, toks: lt } of seqs) {
        if (i + lt.length > toks.length) continue;
        let q = 1;
        for (let k = 0; k < lt.length && q > 0; k++) q *= tokenMatch(toks[i + k]!.text, lt[k]!);
        if (q === 0) continue;
        hits.push({
          line,
          firstWord: toks[i]!.word,
          lastWord: toks[i + lt.length - 1]!.word,
          nextToken: i + lt.length,
          quality: q,
          label,
        });
      }
    }
  }
  // Longest label first at the same place ("invoice date" over "date"), then best quality.
  return hits.toSorted((a, b) => b.label.length - a.label.length || b.quality - a.quality);
}
