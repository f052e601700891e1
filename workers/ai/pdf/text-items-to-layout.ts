import type { LayoutWord, PageLayout } from "../layout.ts";

/**
 * Pure: the text items pdf.js reads from one page → a {@link PageLayout} (words with boxes as page
 * fractions, lines in reading order). No pdf.js types here, only the fields used, so it is tested on
 * hand-made items.
 *
 * An item is a run of text drawn with one font and one transform; it may hold several words (pdf-lib
 * draws a whole line as one item) or one glyph (some generators place every glyph on its own). Items are
 * split at whitespace into fragments whose boxes are interpolated along the baseline (weighted by a
 * rough glyph-width class, since pdf.js reports only the run's total width), then fragments that touch
 * on the same line are merged into words, lines are grouped by baseline and sorted top to bottom, words
 * left to right.
 */

/** The fields of a pdf.js `TextItem` this module reads. */
export interface RawTextItem {
  str: string;
  /** The text matrix in PDF user space: [a, b, c, d, e, f] (font size folded in). */
  transform: readonly number[];
  /** Advance width of the run in user-space units (scale 1). */
  width: number;
  fontName?: string;
}

/** The font metrics pdf.js reports per font name (`textContent.styles`). */
export interface RawFontStyle {
  ascent?: number;
  descent?: number;
}

/** The page's viewport at scale 1: its size (after /Rotate) and the user-space → top-left transform. */
export interface PageViewport {
  width: number;
  height: number;
  transform: readonly number[];
}

interface Fragment {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Baseline y of the run (page units, top-left origin) and its font height, for line grouping. */
  baseline: number;
  fontHeight: number;
  /** Whether the fragment ends (starts) its item with no whitespace: it may join the next (previous) item. */
  openRight: boolean;
  openLeft: boolean;
}

const DEFAULT_ASCENT = 0.8;
const DEFAULT_DESCENT = -0.2;

/** Relative advance of a glyph, a rough class table shaped like Helvetica's metrics. */
export function glyphWeight(ch: string): number {
  if (/[iljI.,:;'|!`]/.test(ch)) return 0.28;
  if (/[frt()[\]{}\-"/\\ ]/.test(ch)) return 0.36;
  if (/[mwMW@%]/.test(ch)) return 0.86;
  if (/[A-Z&]/.test(ch)) return 0.68;
  return 0.55;
}

function multiply(m: readonly number[], n: readonly number[]): number[] {
  const [a, b, c, d, e, f] = m as [number, number, number, number, number, number];
  const [a2, b2, c2, d2, e2, f2] = n as [number, number, number, number, number, number];
  return [
    a * a2 + c * b2,
    b * a2 + d * b2,
    a * c2 + c * d2,
    b * c2 + d * d2,
    a * e2 + c * f2 + e,
    b * e2 + d * f2 + f,
  ];
}

function fragmentsOf(item: RawTextItem, style: RawFontStyle | undefined, viewport: PageViewport): Fragment[] {
  if (item.transform.length !== 6 || !item.str.trim()) return [];
  const m = multiply(viewport.transform, item.transform);
  const [a, b, c, d, ox, oy] = m as [number, number, number, number, number, number];
  const fontHeight = Math.hypot(c, d);
  const dirLen = Math.hypot(a, b);
  if (!(fontHeight > 0) || !(dirLen > 0) || !Number.isFinite(ox + oy)) return [];
  // Unit vectors in device space (top-left origin): along the baseline, and "up" from it.
  const ux = a / dirLen;
  const uy = b / dirLen;
  const vx = c / fontHeight;
  const vy = d / fontHeight;
  const ascent = style?.ascent && style.ascent > 0 ? style.ascent : DEFAULT_ASCENT;
  const descent = style?.descent && style.descent < 0 ? style.descent : DEFAULT_DESCENT;
  // item.width is in user space; the viewport at scale 1 keeps lengths (possibly rotated).
  const advance = Math.max(0, item.width);

  const chars = [...item.str];
  const weights = chars.map(glyphWeight);
  const total = weights.reduce((s, w) => s + w, 0) || 1;
  const out: Fragment[] = [];
  let pos = 0;
  let i = 0;
  while (i < chars.length) {
    if (/\s/.test(chars[i]!)) {
      pos += weights[i]!;
      i++;
      continue;
    }
    const start = i;
    const s0 = pos;
    while (i < chars.length && !/\s/.test(chars[i]!)) {
      pos += weights[i]!;
      i++;
    }
    const a0 = (s0 / total) * advance;
    const a1 = (pos / total) * advance;
    const xs: number[] = [];
    const ys: number[] = [];
    for (const along of [a0, a1]) {
      for (const up of [ascent * fontHeight, descent * fontHeight]) {
        xs.push(ox + ux * along + vx * up);
        ys.push(oy + uy * along + vy * up);
      }
    }
    out.push({
      text: chars.slice(start, i).join(""),
      x0: Math.min(...xs),
      y0: Math.min(...ys),
      x1: Math.max(...xs),
      y1: Math.max(...ys),
      baseline: oy + uy * ((a0 + a1) / 2),
      fontHeight,
      openLeft: start === 0,
      openRight: i === chars.length,
    });
  }
  return out;
}

/** Groups fragments into lines: same baseline within a fraction of the font height. */
function groupLines(fragments: Fragment[]): Fragment[][] {
  const sorted = [...fragments].sort((p, q) => p.baseline - q.baseline || p.x0 - q.x0);
  const lines: { baseline: number; height: number; items: Fragment[] }[] = [];
  for (const f of sorted) {
    const line = lines.at(-1);
    if (line && Math.abs(f.baseline - line.baseline) <= 0.2 * Math.min(line.height, f.fontHeight)) {
      line.items.push(f);
    } else {
      lines.push({ baseline: f.baseline, height: f.fontHeight, items: [f] });
    }
  }
  return lines.map((l) => l.items.sort((p, q) => p.x0 - q.x0));
}

/** Merges touching fragments of one line (split glyph runs) into words. */
function mergeWords(line: Fragment[]): Fragment[] {
  const words: Fragment[] = [];
  for (const f of line) {
    const prev = words.at(-1);
    const gap = prev ? f.x0 - prev.x1 : Infinity;
    if (prev && prev.openRight && f.openLeft && gap < 0.15 * Math.min(prev.fontHeight, f.fontHeight)) {
      words[words.length - 1] = {
        ...prev,
        text: prev.text + f.text,
        x0: Math.min(prev.x0, f.x0),
        y0: Math.min(prev.y0, f.y0),
        x1: Math.max(prev.x1, f.x1),
        y1: Math.max(prev.y1, f.y1),
        openRight: f.openRight,
      };
    } else {
      words.push(f);
    }
  }
  return words;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Rounds a page fraction to 5 decimals (sub-point precision on any page; smaller JSON). */
const round = (v: number) => Math.round(v * 1e5) / 1e5;

/**
 * Builds the layout of one page from its text items. `page` is 1-based; `viewport` is the page's
 * viewport at scale 1 (width/height in PDF points after rotation).
 */
export function textItemsToLayout(
  page: number,
  items: readonly RawTextItem[],
  styles: Readonly<Record<string, RawFontStyle>>,
  viewport: PageViewport,
): PageLayout {
  const fragments = items.flatMap((item) => fragmentsOf(item, styles[item.fontName ?? ""], viewport));
  const lines = groupLines(fragments).map(mergeWords);
  const W = viewport.width;
  const H = viewport.height;
  const words: LayoutWord[] = [];
  const lineTexts: string[] = [];
  for (const line of lines) {
    lineTexts.push(line.map((w) => w.text).join(" "));
    for (const w of line) {
      const x0 = round(clamp01(w.x0 / W));
      const y0 = round(clamp01(w.y0 / H));
      words.push({
        text: w.text.slice(0, 10_000),
        x0,
        y0,
        x1: Math.max(x0, round(clamp01(w.x1 / W))),
        y1: Math.max(y0, round(clamp01(w.y1 / H))),
        confidence: 1,
      });
    }
  }
  return {
    page,
    width: W,
    height: H,
    source: "pdf-text",
    text: lineTexts.join("\n"),
    words,
    confidence: words.length > 0 ? 1 : 0,
  };
}
