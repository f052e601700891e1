/**
 * Paints a page spec into a PNG with @napi-rs/canvas and the font registered in fonts.ts (no system
 * font is used). `scale` is pixels per point: 2 gives 144 dpi, enough for OCR of 9 pt text.
 */
import { createCanvas } from "@napi-rs/canvas";
import { cssFont, ensureCorpusFonts } from "./fonts.ts";
import type { PageSpec } from "./page-model.ts";

export const DEFAULT_SCALE = 2;

function css(g: number): string {
  const v = Math.round(Math.min(1, Math.max(0, g)) * 255);
  return `rgb(${v},${v},${v})`;
}

export interface RenderedImage {
  png: Uint8Array;
  width: number;
  height: number;
}

/** Raw pixels of a rendered page: RGBA, 4 bytes a pixel, row after row. */
export interface RawImage {
  rgba: Uint8Array;
  width: number;
  height: number;
}

/** The page as a PNG. */
export function renderPageImage(spec: PageSpec, scale = DEFAULT_SCALE): RenderedImage {
  const { canvas, width, height } = paint(spec, scale);
  return { png: new Uint8Array(canvas.toBuffer("image/png")), width, height };
}

/** The page as raw RGBA pixels (no PNG encoding: for the scan and image-PDF paths). */
export function renderPageRaw(spec: PageSpec, scale = DEFAULT_SCALE): RawImage {
  const { canvas, width, height } = paint(spec, scale);
  const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  return { rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}

function paint(spec: PageSpec, scale: number) {
  ensureCorpusFonts();
  const width = Math.round(spec.width * scale);
  const height = Math.round(spec.height * scale);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  ctx.scale(scale, scale);
  ctx.textBaseline = "alphabetic";
  for (const item of spec.items) {
    if (item.kind === "rect") {
      if (item.fill !== undefined) {
        ctx.fillStyle = css(item.fill);
        ctx.fillRect(item.x, item.y, item.w, item.h);
      }
      if (item.stroke !== undefined) {
        ctx.strokeStyle = css(item.stroke);
        ctx.lineWidth = 0.75;
        ctx.strokeRect(item.x, item.y, item.w, item.h);
      }
    } else if (item.kind === "line") {
      ctx.strokeStyle = css(item.gray);
      ctx.lineWidth = item.width;
      ctx.beginPath();
      ctx.moveTo(item.x0, item.y0);
      ctx.lineTo(item.x1, item.y1);
      ctx.stroke();
    } else {
      ctx.fillStyle = css(item.gray);
      ctx.font = cssFont(item.size, item.weight);
      ctx.fillText(item.text, item.x, item.y);
    }
  }
  return { canvas, width, height };
}
