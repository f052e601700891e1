import type { LayoutWord, PageLayout } from "../layout.ts";

/**
 * Words of a page layout grouped into visual lines: a word joins a line when its vertical centre
 * falls inside the line's band (OCR boxes of one line differ by a few pixels; a text layer's by
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
  const lines: { y0: number; y1: number; words: LayoutWord[] }[] = [];
  for (const w of words) {
    const mid = (w.y0 + w.y1) / 2;
    const line = lines.find((l) => mid >= l.y0 && mid <= l.y1 && !l.words.some((o) => overlapsX(o, w)));
    if (line) {
      line.words.push(w);
      line.y0 = Math.min(line.y0, w.y0);
      line.y1 = Math.max(line.y1, w.y1);
    } else {
      lines.push({ y0: w.y0, y1: w.y1, words: [w] });
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
