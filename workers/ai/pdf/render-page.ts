import { renderPageAsImage } from "unpdf";
import { checkPages } from "./extract-layouts.ts";
import { type PdfDocument, withPdf } from "./pdfjs-runtime.ts";

export interface RenderPageOptions {
  /** Pixels per PDF point (1 = 72 dpi, 2 = 144 dpi; default 2). */
  scale?: number;
  /** Instead of `scale`: the scale at which the page's longer side is this many pixels. */
  fitSide?: number;
  /** Largest rendered image in pixels; a bigger page is rendered at the scale that fits (default 25 MP). */
  maxPixels?: number;
  signal?: AbortSignal;
}

export interface RenderedPage {
  png: Uint8Array;
  width: number;
  height: number;
  /** The scale used: the requested one, or less when the page would exceed `maxPixels`. */
  scale: number;
}

export const DEFAULT_RENDER_SCALE = 2;
export const DEFAULT_MAX_RENDER_PIXELS = 25_000_000;

/**
 * Pure: the scale to render a page of `width`×`height` points at — the requested scale, reduced so the
 * image stays within `maxPixels` (a page with a huge MediaBox must not allocate gigabytes).
 */
export function fitScale(width: number, height: number, scale: number, maxPixels: number): number {
  const pixels = width * scale * (height * scale);
  if (pixels <= maxPixels) return scale;
  return scale * Math.sqrt(maxPixels / pixels) * 0.999;
}

/** Pure: the width and height in a PNG's IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  if (png.length < 24) throw new Error("not a PNG (too short)");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const canvasImport = () => import("@napi-rs/canvas");

async function renderOpen(pdf: PdfDocument, page: number, options: RenderPageOptions): Promise<RenderedPage> {
  checkPages([page], pdf.numPages);
  const p = await pdf.getPage(page);
  const base = p.getViewport({ scale: 1 });
  const wanted = options.fitSide ? options.fitSide / Math.max(base.width, base.height) : options.scale;
  const scale = fitScale(
    base.width,
    base.height,
    wanted ?? DEFAULT_RENDER_SCALE,
    options.maxPixels ?? DEFAULT_MAX_RENDER_PIXELS,
  );
  p.cleanup();
  const png = new Uint8Array(await renderPageAsImage(pdf, page, { scale, canvasImport }));
  const { width, height } = pngSize(png);
  return { png, width, height, scale };
}

/**
 * Renders one page (1-based) of a PDF to a PNG, offline: pdf.js draws glyphs as paths from the
 * embedded fonts or the standard-font data shipped in pdfjs-dist, onto an @napi-rs/canvas.
 * Errors: `Sluice.CorruptDocument`, `Sluice.EncryptedDocument`, `Sluice.NoSuchPage` (StepError).
 */
export async function renderPdfPage(
  bytes: Uint8Array,
  page: number,
  options: RenderPageOptions = {},
): Promise<RenderedPage> {
  return withPdf(bytes, { signal: options.signal }, (pdf) => renderOpen(pdf, page, options));
}
