/**
 * A tiny PNG chart renderer for benchmark reports: stacked panels sharing one width, each with axes,
 * ticks, a title, a legend, line series and/or stacked bars, and dashed reference lines. Text uses a
 * built-in 5×7 bitmap font (upper case, digits and a little punctuation; lower case is drawn upper
 * case). Values outside a panel's y range are clamped to its edge. Encoded with pngjs.
 *
 *   const png = renderChart({ title: "fairness", width: 1000, panelHeight: 260, panels: [...] });
 *   await writeFile("chart.png", png);
 */
import { PNG } from "pngjs";

export type Rgb = readonly [number, number, number];

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface LineSeries {
  readonly label: string;
  readonly color: Rgb;
  readonly points: readonly Point[];
  readonly dashed?: boolean;
}

export interface StackSeries {
  readonly label: string;
  readonly color: Rgb;
  /** One value per bucket (see `StackedBars.edges`). */
  readonly values: readonly number[];
}

export interface StackedBars {
  /** Bucket edges on the x axis: n + 1 edges for n buckets. */
  readonly edges: readonly number[];
  readonly series: readonly StackSeries[];
}

export interface PanelSpec {
  readonly title: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  readonly lines?: readonly LineSeries[];
  readonly stacked?: StackedBars;
  /** Dashed horizontal reference lines at these y values. */
  readonly refY?: readonly number[];
}

export interface ChartSpec {
  readonly title: string;
  readonly width: number;
  readonly panelHeight: number;
  readonly panels: readonly PanelSpec[];
}

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [40, 40, 40];
const GRID: Rgb = [225, 225, 225];
const REF: Rgb = [150, 150, 150];

/** 20 distinguishable colours (Tableau 20 order). */
const PALETTE: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
  [174, 199, 232],
  [255, 187, 120],
  [152, 223, 138],
  [255, 152, 150],
  [197, 176, 213],
  [196, 156, 148],
  [247, 182, 210],
  [199, 199, 199],
  [219, 219, 141],
  [158, 218, 229],
];

export function paletteColor(i: number): Rgb {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length] as Rgb;
}

// 5×7 glyphs, rows top to bottom, "1" = ink.
const GLYPHS: Record<string, string> = {
  "0": "01110100011001110101110011000101110",
  "1": "00100011000010000100001000010001110",
  "2": "01110100010000100010001000100011111",
  "3": "11111000100010000010000011000101110",
  "4": "00010001100101010010111110001000010",
  "5": "11111100001111000001000011000101110",
  "6": "00110010001000011110100011000101110",
  "7": "11111000010001000100010000100001000",
  "8": "01110100011000101110100011000101110",
  "9": "01110100011000101111000010001001100",
  A: "01110100011000111111100011000110001",
  B: "11110100011000111110100011000111110",
  C: "01110100011000010000100001000101110",
  D: "11100100101000110001100011001011100",
  E: "11111100001000011110100001000011111",
  F: "11111100001000011110100001000010000",
  G: "01110100011000010111100011000101111",
  H: "10001100011000111111100011000110001",
  I: "01110001000010000100001000010001110",
  J: "00111000100001000010000101001001100",
  K: "10001100101010011000101001001010001",
  L: "10000100001000010000100001000011111",
  M: "10001110111010110101100011000110001",
  N: "10001100011100110101100111000110001",
  O: "01110100011000110001100011000101110",
  P: "11110100011000111110100001000010000",
  Q: "01110100011000110001101011001001101",
  R: "11110100011000111110101001001010001",
  S: "01111100001000001110000010000111110",
  T: "11111001000010000100001000010000100",
  U: "10001100011000110001100011000101110",
  V: "10001100011000110001100010101000100",
  W: "10001100011000110101101011010101010",
  X: "10001100010101000100010101000110001",
  Y: "10001100011000101010001000010000100",
  Z: "11111000010001000100010001000011111",
  " ": "00000000000000000000000000000000000",
  ".": "00000000000000000000000000110001100",
  ",": "00000000000000000000011000010001000",
  "-": "00000000000000011111000000000000000",
  ":": "00000011000110000000011000110000000",
  "/": "00000000010001000100010001000000000",
  "%": "11000110010001000100010001001100011",
  "(": "00010001000100001000010000010000010",
  ")": "01000001000001000010000100010001000",
  "=": "00000000001111100000111110000000000",
  "+": "00000001000010011111001000010000000",
  _: "00000000000000000000000000000011111",
  ">": "01000001000001000001000100010001000",
  "<": "00010001000100010000010000010000010",
};

/** An RGB raster with the drawing primitives the charts need. */
export class Canvas {
  readonly data: Buffer;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 4, 255);
  }

  set(x: number, y: number, c: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const o = (yi * this.width + xi) * 4;
    this.data[o] = c[0];
    this.data[o + 1] = c[1];
    this.data[o + 2] = c[2];
    this.data[o + 3] = 255;
  }

  fillRect(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    const [xa, xb] = [Math.round(Math.min(x0, x1)), Math.round(Math.max(x0, x1))];
    const [ya, yb] = [Math.round(Math.min(y0, y1)), Math.round(Math.max(y0, y1))];
    for (let y = ya; y <= yb; y++) for (let x = xa; x <= xb; x++) this.set(x, y, c);
  }

  /** A line `thick` pixels wide; `dash` draws `dash` pixels on, `dash` off. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thick = 1, dash = 0): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const r = (thick - 1) / 2;
    for (let i = 0; i <= steps; i++) {
      if (dash > 0 && Math.floor(i / dash) % 2 === 1) continue;
      const x = x0 + ((x1 - x0) * i) / steps;
      const y = y0 + ((y1 - y0) * i) / steps;
      if (thick <= 1) this.set(x, y, c);
      else this.fillRect(x - r, y - r, x + r, y + r, c);
    }
  }

  /** Text with its top-left corner at (x, y); returns the width drawn. */
  text(x: number, y: number, s: string, c: Rgb = INK, scale = 1): number {
    let cx = x;
    for (const ch of s.toUpperCase()) {
      const glyph = GLYPHS[ch] ?? GLYPHS[" "]!;
      for (let i = 0; i < 35; i++) {
        if (glyph[i] !== "1") continue;
        const gx = cx + (i % 5) * scale;
        const gy = y + Math.floor(i / 5) * scale;
        this.fillRect(gx, gy, gx + scale - 1, gy + scale - 1, c);
      }
      cx += 6 * scale;
    }
    return cx - x;
  }

  /** Text rotated 90° counter-clockwise (reads bottom to top), its left end at (x, y) bottom. */
  textUp(x: number, y: number, s: string, c: Rgb = INK): void {
    let cy = y;
    for (const ch of s.toUpperCase()) {
      const glyph = GLYPHS[ch] ?? GLYPHS[" "]!;
      for (let i = 0; i < 35; i++) if (glyph[i] === "1") this.set(x + Math.floor(i / 5), cy - (i % 5), c);
      cy -= 6;
    }
  }

  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    this.data.copy(png.data);
    return PNG.sync.write(png);
  }
}

export function textWidth(s: string, scale = 1): number {
  return s.length * 6 * scale;
}

/** "Nice" tick values (1, 2, 5 × 10^k steps) covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** 0.5 → "0.5", 1500 → "1500", 25000 → "25K", 2500000 → "2.5M". */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}K`;
  return String(Number(v.toPrecision(3)));
}

const MARGIN = { left: 64, right: 16, top: 34, bottom: 34 };

function drawPanel(cv: Canvas, top: number, height: number, spec: PanelSpec): void {
  const x0 = MARGIN.left;
  const x1 = cv.width - MARGIN.right;
  const y0 = top + MARGIN.top;
  const y1 = top + height - MARGIN.bottom;
  const [xMin, xMax] = spec.xRange;
  const [yMin, yMax] = spec.yRange;
  const px = (x: number): number => x0 + ((x - xMin) / (xMax - xMin || 1)) * (x1 - x0);
  const py = (y: number): number =>
    y1 - ((Math.min(yMax, Math.max(yMin, y)) - yMin) / (yMax - yMin || 1)) * (y1 - y0);

  cv.text(x0, top + 6, spec.title, INK);
  for (const t of niceTicks(yMin, yMax)) {
    cv.line(x0, py(t), x1, py(t), GRID);
    const label = shortNumber(t);
    cv.text(x0 - 4 - textWidth(label), py(t) - 3, label);
  }
  for (const t of niceTicks(xMin, xMax, 10)) {
    cv.line(px(t), y1, px(t), y1 + 3, INK);
    const label = shortNumber(t);
    cv.text(px(t) - textWidth(label) / 2, y1 + 6, label);
  }
  if (spec.xLabel) cv.text(x1 - textWidth(spec.xLabel), y1 + 18, spec.xLabel);
  if (spec.yLabel) cv.textUp(4, y1, spec.yLabel);

  const stacked = spec.stacked;
  if (stacked) {
    for (let b = 0; b + 1 < stacked.edges.length; b++) {
      let acc = 0;
      const left = px(stacked.edges[b]!);
      const right = Math.max(left, px(stacked.edges[b + 1]!) - 1);
      for (const s of stacked.series) {
        const v = s.values[b] ?? 0;
        if (v > 0) cv.fillRect(left, py(acc + v), right, py(acc), s.color);
        acc += v;
      }
    }
  }
  for (const r of spec.refY ?? []) cv.line(x0, py(r), x1, py(r), REF, 1, 4);
  for (const s of spec.lines ?? []) {
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    for (let i = 1; i < pts.length; i++)
      cv.line(
        px(pts[i - 1]!.x),
        py(pts[i - 1]!.y),
        px(pts[i]!.x),
        py(pts[i]!.y),
        s.color,
        2,
        s.dashed ? 5 : 0,
      );
    if (pts.length === 1)
      cv.fillRect(px(pts[0]!.x) - 1, py(pts[0]!.y) - 1, px(pts[0]!.x) + 1, py(pts[0]!.y) + 1, s.color);
  }
  cv.line(x0, y0, x0, y1, INK);
  cv.line(x0, y1, x1, y1, INK);

  // Legend: one row (wrapping) under the title.
  const entries = [...(spec.lines ?? []), ...(stacked?.series ?? [])];
  let lx = x0 + textWidth(spec.title) + 24;
  let ly = top + 6;
  for (const e of entries) {
    const w = 12 + textWidth(e.label) + 12;
    if (lx + w > x1) {
      lx = x0 + textWidth(spec.title) + 24;
      ly += 10;
    }
    cv.fillRect(lx, ly, lx + 7, ly + 6, e.color);
    cv.text(lx + 11, ly, e.label);
    lx += w;
  }
}

/** Renders the panels one under the other and returns the PNG bytes. */
export function renderChart(spec: ChartSpec): Buffer {
  const titleHeight = 24;
  const cv = new Canvas(spec.width, titleHeight + spec.panelHeight * spec.panels.length);
  cv.fillRect(0, 0, cv.width - 1, cv.height - 1, WHITE);
  cv.text(MARGIN.left, 6, spec.title, INK, 2);
  spec.panels.forEach((p, i) => drawPanel(cv, titleHeight + i * spec.panelHeight, spec.panelHeight, p));
  return cv.toPng();
}
