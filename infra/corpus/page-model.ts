/**
 * The page description every renderer draws: positioned text runs, rules and boxes in PDF points
 * with a top-left origin (y of a text run is its baseline). Templates build it with PageBuilder /
 * DocBuilder; renderers (render-pdf.ts, render-image.ts) only paint it, so a text PDF, its image and
 * its scan show the same page, and the ground-truth text is read from the same runs.
 */
import { textWidth, type FontWeight } from "./fonts.ts";

export interface TextRun {
  kind: "text";
  text: string;
  x: number;
  y: number;
  size: number;
  weight: FontWeight;
  /** 0 = black .. 1 = white */
  gray: number;
}
export interface RuleItem {
  kind: "line";
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  width: number;
  gray: number;
}
export interface BoxItem {
  kind: "rect";
  x: number;
  y: number;
  w: number;
  h: number;
  fill?: number;
  stroke?: number;
}
export type PageItem = TextRun | RuleItem | BoxItem;

export interface PageSpec {
  width: number;
  height: number;
  items: PageItem[];
}

export type Align = "left" | "right" | "center";
export interface TextOptions {
  size?: number;
  weight?: FontWeight;
  align?: Align;
  gray?: number;
}

export const LETTER = { width: 612, height: 792 } as const;
export const A4 = { width: 595, height: 842 } as const;

export class PageBuilder {
  readonly items: PageItem[] = [];
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  /** Draws `text` with its anchor at x (left edge, right edge or centre); returns the run's width. */
  text(text: string, x: number, y: number, opts: TextOptions = {}): number {
    const size = opts.size ?? 10;
    const weight = opts.weight ?? "regular";
    const clean = text.replace(/[\s\u00a0]+/g, " ").trim();
    if (clean === "") return 0;
    const w = textWidth(clean, size, weight);
    const left = opts.align === "right" ? x - w : opts.align === "center" ? x - w / 2 : x;
    this.items.push({
      kind: "text",
      text: clean,
      x: left,
      y: this.snap(y, size),
      size,
      weight,
      gray: opts.gray ?? 0,
    });
    return w;
  }

  /**
   * A baseline within 30% of the font size of an existing run's baseline (another column a few
   * points off) moves onto it, so that any two baselines on a page are either equal or clearly
   * apart: every reader (pdf.js items, OCR lines, the truth's pageText) then agrees on the lines.
   */
  private snap(y: number, size: number): number {
    let best = y;
    let bestDistance = Infinity;
    for (const item of this.items) {
      if (item.kind !== "text") continue;
      const d = Math.abs(item.y - y);
      if (d > 0 && d < bestDistance && d <= 0.3 * Math.max(size, item.size)) {
        best = item.y;
        bestDistance = d;
      }
    }
    return best;
  }

  line(x0: number, y0: number, x1: number, y1: number, width = 0.75, gray = 0): void {
    this.items.push({ kind: "line", x0, y0, x1, y1, width, gray });
  }

  rect(x: number, y: number, w: number, h: number, style: { fill?: number; stroke?: number }): void {
    this.items.push({ kind: "rect", x, y, w, h, ...style });
  }

  spec(): PageSpec {
    return { width: this.width, height: this.height, items: this.items };
  }
}

/** Joins a phrase with no-break spaces so that wrapping never splits it (a name, a date). */
export function keep(phrase: string): string {
  return phrase.replace(/ /g, "\u00a0");
}

/** Splits `text` into lines no wider than `width` points (never inside a `keep` phrase). */
export function wrapText(
  text: string,
  width: number,
  size: number,
  weight: FontWeight = "regular",
): string[] {
  const words = text.split(/[ \t\n]+/).filter(Boolean);
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    const candidate = current === "" ? word : `${current} ${word}`;
    if (current !== "" && textWidth(candidate, size, weight) > width) {
      lines.push(current);
      current = word;
    } else current = candidate;
  }
  if (current !== "") lines.push(current);
  return lines;
}

/**
 * Several pages with a flowing cursor (for letters and contracts): `paragraph` wraps text and starts
 * a new page when the bottom margin is reached.
 */
export class DocBuilder {
  readonly pages: PageBuilder[] = [];
  y: number;
  constructor(
    readonly size: { width: number; height: number },
    readonly margin: { top: number; bottom: number; left: number; right: number },
  ) {
    this.pages.push(new PageBuilder(size.width, size.height));
    this.y = margin.top;
  }

  get page(): PageBuilder {
    return this.pages[this.pages.length - 1]!;
  }

  get contentWidth(): number {
    return this.size.width - this.margin.left - this.margin.right;
  }

  newPage(): void {
    this.pages.push(new PageBuilder(this.size.width, this.size.height));
    this.y = this.margin.top;
  }

  /** Makes room for `height` points, starting a new page if needed. */
  ensure(height: number): void {
    if (this.y + height > this.size.height - this.margin.bottom) this.newPage();
  }

  paragraph(
    text: string,
    opts: TextOptions & { indent?: number; leading?: number; after?: number } = {},
  ): void {
    const size = opts.size ?? 10.5;
    const leading = opts.leading ?? size * 1.45;
    const indent = opts.indent ?? 0;
    const lines = wrapText(text, this.contentWidth - indent, size, opts.weight ?? "regular");
    for (const line of lines) {
      this.ensure(leading);
      this.y += leading;
      this.page.text(line, this.margin.left + indent, this.y, { ...opts, size, align: "left" });
    }
    this.y += opts.after ?? size * 0.8;
  }

  space(points: number): void {
    this.y += points;
  }

  specs(): PageSpec[] {
    return this.pages.map((p) => p.spec());
  }
}

/**
 * The ground-truth text of a page: runs grouped into lines by baseline (PageBuilder keeps distinct
 * baselines at least 30% of a font size apart), each line's runs left to right joined by a space,
 * lines top to bottom joined by a newline.
 */
export function pageText(page: PageSpec): string {
  const runs = page.items.filter((i): i is TextRun => i.kind === "text");
  const sorted = [...runs].sort((a, b) => a.y - b.y || a.x - b.x);
  const lines: TextRun[][] = [];
  for (const run of sorted) {
    const last = lines[lines.length - 1];
    if (last && Math.abs(last[0]!.y - run.y) <= 0.5) last.push(run);
    else lines.push([run]);
  }
  return lines
    .map((l) =>
      l
        .sort((a, b) => a.x - b.x)
        .map((r) => r.text)
        .join(" "),
    )
    .join("\n");
}
