/**
 * The font the page images are drawn with: Arimo (SIL OFL, metrically compatible with Helvetica, the
 * standard PDF font the text PDFs use), read from the npm package @fontsource/arimo and registered
 * explicitly with @napi-rs/canvas. Nothing depends on fonts installed on the machine, so pages render
 * the same on a fresh machine with no system fonts (test/unit/corpus verifies text is drawn).
 */
import { createRequire } from "node:module";
import { GlobalFonts, createCanvas, type SKRSContext2D } from "@napi-rs/canvas";

export const CORPUS_FONT_FAMILY = "SluiceCorpusSans";
export const CORPUS_FONT_FAMILY_BOLD = "SluiceCorpusSansBold";

export type FontWeight = "regular" | "bold";

let registered = false;

/** Registers the two faces once per process; throws if the package's files cannot be loaded. */
export function ensureCorpusFonts(): void {
  if (registered) return;
  const require = createRequire(import.meta.url);
  const faces: [string, string][] = [
    ["@fontsource/arimo/files/arimo-latin-400-normal.woff2", CORPUS_FONT_FAMILY],
    ["@fontsource/arimo/files/arimo-latin-700-normal.woff2", CORPUS_FONT_FAMILY_BOLD],
  ];
  for (const [spec, family] of faces) {
    const key = GlobalFonts.registerFromPath(require.resolve(spec), family);
    if (!key) throw new Error(`corpus: could not register font ${spec}`);
  }
  registered = true;
}

export function cssFont(size: number, weight: FontWeight): string {
  return `${size}px ${weight === "bold" ? CORPUS_FONT_FAMILY_BOLD : CORPUS_FONT_FAMILY}`;
}

let measureCtx: SKRSContext2D | undefined;

/** Width in points of `text` at `size` (the same metrics as Helvetica). */
export function textWidth(text: string, size: number, weight: FontWeight = "regular"): number {
  ensureCorpusFonts();
  measureCtx ??= createCanvas(8, 8).getContext("2d");
  measureCtx.font = cssFont(size, weight);
  return measureCtx.measureText(text).width;
}
