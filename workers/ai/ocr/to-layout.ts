import type { LayoutWord, PageLayout } from "../layout.ts";
import type { RecognizedBox, RecognizedPage } from "./recognized.ts";

export interface LayoutFrame {
  /** 1-based page number. */
  page: number;
  /** The source image's size in pixels (after EXIF orientation), recorded in the layout. */
  width: number;
  height: number;
  /** The size of the image the recognizer saw (boxes are in its pixels). */
  ocrWidth: number;
  ocrHeight: number;
}

/**
 * A page whose mean word confidence is below this holds no text, only what the recognizer made of
 * texture (the corpus's picture with no text gave one "word" at 0.13); its words are dropped. Real
 * pages, harsh scans included, averaged 0.7 or more.
 */
export const NO_TEXT_PAGE_CONFIDENCE = 0.3;

/**
 * A recognition result as the page-layout contract (workers/ai/layout.ts): words with boxes as
 * fractions of the page (clamped to 0..1) and confidences 0..1, text in the recognizer's reading
 * order (blocks, paragraphs, lines) with one `\n` per line, page confidence the mean word confidence
 * (0 when no words). Words that are only whitespace are dropped, and every word of a page below
 * NO_TEXT_PAGE_CONFIDENCE (empty text, confidence 0). Pure.
 */
export function toPageLayout(rec: RecognizedPage, frame: LayoutFrame): PageLayout {
  const words: LayoutWord[] = [];
  const lines: string[] = [];
  for (const block of rec.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const texts: string[] = [];
        for (const w of line.words) {
          const text = w.text.trim();
          if (text.length === 0) continue;
          texts.push(text);
          words.push({ text, ...normalizeBox(w.bbox, frame), confidence: fraction(w.confidence) });
        }
        if (texts.length > 0) lines.push(texts.join(" "));
      }
    }
  }
  const confidence = words.length === 0 ? 0 : words.reduce((s, w) => s + w.confidence, 0) / words.length;
  if (confidence < NO_TEXT_PAGE_CONFIDENCE) return emptyLayout(frame);
  return {
    page: frame.page,
    width: frame.width,
    height: frame.height,
    source: "ocr",
    text: lines.join("\n"),
    words,
    confidence: round(confidence),
  };
}

/** The layout of a page with no text. */
export function emptyLayout(frame: Pick<LayoutFrame, "page" | "width" | "height">): PageLayout {
  return {
    page: frame.page,
    width: frame.width,
    height: frame.height,
    source: "ocr",
    text: "",
    words: [],
    confidence: 0,
  };
}

function normalizeBox(b: RecognizedBox, f: LayoutFrame): Pick<LayoutWord, "x0" | "y0" | "x1" | "y1"> {
  const x0 = clamp(Math.min(b.x0, b.x1) / f.ocrWidth);
  const x1 = clamp(Math.max(b.x0, b.x1) / f.ocrWidth);
  const y0 = clamp(Math.min(b.y0, b.y1) / f.ocrHeight);
  const y1 = clamp(Math.max(b.y0, b.y1) / f.ocrHeight);
  return { x0: round(x0), y0: round(y0), x1: round(x1), y1: round(y1) };
}

function fraction(percent: number): number {
  return Number.isFinite(percent) ? round(clamp(percent / 100)) : 0;
}

function clamp(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
