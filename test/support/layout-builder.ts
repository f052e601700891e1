import type { LayoutWord, PageLayout } from "../../workers/ai/layout.ts";

/**
 * Page layouts written by hand for extract/classify tests: each line is a list of segments placed at
 * a horizontal position (fraction of the page width); words get boxes from a fixed character width,
 * so "to the right" and "below" mean what they mean on a real page.
 */
export interface Segment {
  text: string;
  /** Left edge of the segment, 0..1 (default 0.08). */
  x?: number;
  /** Confidence of each word of the segment (default 1). */
  confidence?: number;
}

export type LineSpec = string | Segment | Segment[];

const CHAR = 0.0085;
const SPACE = 0.006;
const LINE_HEIGHT = 0.014;
const LINE_STEP = 0.024;

export function layoutOf(
  lines: readonly LineSpec[],
  opts: { page?: number; source?: "pdf-text" | "ocr" } = {},
): PageLayout {
  const words: LayoutWord[] = [];
  lines.forEach((spec, i) => {
    const y0 = 0.06 + i * LINE_STEP;
    const segments = typeof spec === "string" ? [{ text: spec }] : Array.isArray(spec) ? spec : [spec];
    for (const seg of segments) {
      let x = seg.x ?? 0.08;
      for (const w of seg.text.split(/\s+/).filter((t) => t !== "")) {
        const x1 = Math.min(1, x + w.length * CHAR);
        words.push({ text: w, x0: x, y0, x1, y1: y0 + LINE_HEIGHT, confidence: seg.confidence ?? 1 });
        x = x1 + SPACE;
      }
    }
  });
  const text = lines
    .map((spec) =>
      typeof spec === "string" ? spec : (Array.isArray(spec) ? spec : [spec]).map((s) => s.text).join(" "),
    )
    .join("\n");
  const confidence = words.length === 0 ? 0 : words.reduce((s, w) => s + w.confidence, 0) / words.length;
  return {
    page: opts.page ?? 1,
    width: 612,
    height: 792,
    source: opts.source ?? "pdf-text",
    text,
    words,
    confidence,
  };
}
