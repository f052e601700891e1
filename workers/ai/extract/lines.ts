import type { LayoutWord, PageLayout } from "../layout.ts";

/**
 * Words of a page layout grouped into visual lines: a word joins a line when its vertical centre
 * falls inside the line's band and the line's inside the word's (OCR boxes of one line differ by a few pixels; a text layer's by
 * nothing). Lines are ordered top to bottom, words left to right. Pure.
 */
export interface Line {
  page: number;
  /** Index of the line on its page, top to bottom. */
  index: number;
  y0: number;
  y1: number;
  words: LayoutWord[];
}

export function linesOf(layout: PageLayout): Line[] {
  const words = layout.words
    .filter((w) => w.text.trim() !== "")
    .toSorted((a, b) => (a.y0 + a.y1) / 2 - (b.y0 + b.y1) / 2 || a.x0 - b.x0);
  // `mid`: the vertical centre of the line's first word; a word joins a line when each one's centre
  // lies inside the other's band (a tall title beside a small address line stays apart).
  const lines: { y0: number; y1: number; mid: number; words: LayoutWord[] }[] = [];
  for (const w of words) {
    const mid = (w.y0 + w.y1) / 2;
    const line = lines.find(
      (l) =>
        mid >= l.y0 && mid <= l.y1 && l.mid >= w.y0 && l.mid <= w.y1 && !l.words.some((o) => overlapsX(o, w)),
    );
    if (line) {
      line.words.push(w);
      line.y0 = Math.min(line.y0, w.y0);
      line.y1 = Math.max(line.y1, w.y1);
    } else {
      lines.push({ y0: w.y0, y1: w.y1, mid, words: [w] });
    }
  }
  return lines
    .toSorted((a, b) => a.y0 - b.y0)
    .map((l, index) => ({
      page: layout.page,
      index,
      y0: l.y0,
      y1: l.y1,
      words: l.words.toSorted((a, b) => a.x0 - b.x0),
    }));
}

function overlapsX(a: LayoutWord, b: LayoutWord): boolean {
  const overlap = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  return overlap > 0.5 * Math.min(a.x1 - a.x0, b.x1 - b.x0);
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
