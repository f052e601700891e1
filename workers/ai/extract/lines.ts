import type { LayoutWord, PageLayout } from "../layout.ts";

/**
 * Words of a page layout grouped into visual lines (pure). The units grouped are the source's own
 * lines when the layout's text lists exactly its words in order (the OCR writes one text line per
 * recognized line, pdf-text one per text line): their word order is the recognizer's, which OCR
 * boxes on a skewed scan cannot be trusted to give (boxes of neighbouring words overlap). Otherwise
 * each word is a unit. A unit joins a line when its vertical centre lies inside the line's band and
 * the line's centre inside the unit's (a tall title beside a small address line stays apart; OCR
 * boxes of one line that differ by a few pixels join). Bands use median word edges, so one tall or
 * stray box does not stretch them. Lines are ordered top to bottom, units left to right.
 */
export interface Line {
  page: number;
  /** Index of the line on its page, top to bottom. */
  index: number;
  y0: number;
  y1: number;
  words: LayoutWord[];
}

interface Unit {
  words: LayoutWord[];
  y0: number;
  y1: number;
  mid: number;
  x0: number;
}

function median(xs: number[]): number {
  const s = xs.toSorted((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function unit(words: LayoutWord[]): Unit {
  const y0 = median(words.map((w) => w.y0));
  const y1 = median(words.map((w) => w.y1));
  return { words, y0, y1, mid: (y0 + y1) / 2, x0: Math.min(...words.map((w) => w.x0)) };
}

/** The source's text lines as word lists, when they are exactly the layout's words in order. */
function sourceLines(layout: PageLayout, words: readonly LayoutWord[]): LayoutWord[][] | undefined {
  const out: LayoutWord[][] = [];
  let i = 0;
  for (const line of layout.text.split("\n")) {
    const tokens = line.split(/\s+/).filter((t) => t !== "");
    if (tokens.length === 0) continue;
    const ws: LayoutWord[] = [];
    for (const t of tokens) {
      if (words[i]?.text !== t) return undefined;
      ws.push(words[i++]!);
    }
    out.push(ws);
  }
  return i === words.length ? out : undefined;
}

/**
 * OCR specks: a low-confidence word of one or two characters, or any word with no letter, digit or
 * `#`/currency sign. A scan's dust is read as `:` `;` `2`; left in, it would stand between a label
 * and its value.
 */
export function isSpeck(w: LayoutWord): boolean {
  const t = w.text.trim();
  if (!/[\p{L}\p{N}#$€£¥]/u.test(t)) return true;
  return w.confidence < 0.5 && t.length <= 2;
}

export function linesOf(layout: PageLayout): Line[] {
  const words = layout.words.filter((w) => w.text.trim() !== "");
  const units = (sourceLines(layout, words) ?? words.map((w) => [w]))
    .map((ws) => ws.filter((w) => !isSpeck(w)))
    .filter((ws) => ws.length > 0)
    .map(unit)
    .toSorted((a, b) => a.mid - b.mid || a.x0 - b.x0);
  const lines: { y0: number; y1: number; mid: number; units: Unit[] }[] = [];
  for (const u of units) {
    const line = lines.find((l) => u.mid >= l.y0 && u.mid <= l.y1 && l.mid >= u.y0 && l.mid <= u.y1);
    if (line) {
      line.units.push(u);
      line.y0 = Math.min(line.y0, u.y0);
      line.y1 = Math.max(line.y1, u.y1);
    } else {
      lines.push({ y0: u.y0, y1: u.y1, mid: u.mid, units: [u] });
    }
  }
  return lines
    .toSorted((a, b) => a.y0 - b.y0)
    .map((l, index) => ({
      page: layout.page,
      index,
      y0: l.y0,
      y1: l.y1,
      words: l.units.toSorted((a, b) => a.x0 - b.x0).flatMap((u) => u.words),
    }));
}

/** The words' text joined with single spaces. */
export function textOf(words: readonly LayoutWord[]): string {
  return words.map((w) => w.text).join(" ");
}

/** Mean OCR confidence of some words (1 for none). */
export function meanConfidence(words: readonly LayoutWord[]): number {
  return words.length === 0 ? 1 : words.reduce((s, w) => s + w.confidence, 0) / words.length;
}

/** Largest gap between two words of one phrase, as a fraction of the page width (wider: a column). */
export const WORD_GAP = 0.03;

/** A line's words split at column gaps into phrases (`Acme Corp` | `INVOICE`). */
export function segmentsOf(line: Line): LayoutWord[][] {
  const out: LayoutWord[][] = [];
  for (const w of line.words) {
    const cur = out[out.length - 1];
    if (cur && w.x0 - cur[cur.length - 1]!.x1 <= WORD_GAP) cur.push(w);
    else out.push([w]);
  }
  return out;
}
