import sharp, { type Metadata } from "sharp";
import { OcrInputError } from "./errors.ts";

/** Decoding refuses images above this many pixels (a decompression bomb guard; ~15,000 × 10,000). */
export const MAX_INPUT_PIXELS = 150_000_000;
/** The recognizer sees at most this many pixels (a 300 dpi A4 page is ~8.7 MP); larger images are scaled down. */
export const MAX_OCR_PIXELS = 12_000_000;
/** Images whose long side is below this are scaled up ×2 (small text is read far better larger). */
export const UPSCALE_BELOW_PX = 1000;

export interface PreparedImage {
  /** A grayscale PNG for the recognizer. */
  png: Buffer;
  /** The source image's size (after EXIF orientation). */
  width: number;
  height: number;
  /** The prepared image's size: the frame of the recognizer's boxes. */
  ocrWidth: number;
  ocrHeight: number;
}

export interface PrepareOptions {
  /** Stretch the contrast to the full range (helps on faded, grey scans). Default true. */
  normalize?: boolean;
  /** Scale small images up (see UPSCALE_BELOW_PX). Default true. */
  upscale?: boolean;
}

/**
 * Decodes any image sharp reads (PNG, JPEG, TIFF, WebP, GIF: first frame) and prepares it for OCR:
 * EXIF orientation applied, transparency flattened on white, grayscale, contrast normalized, small
 * images scaled up and huge ones scaled down to MAX_OCR_PIXELS. Unreadable bytes or an image over
 * MAX_INPUT_PIXELS → `OcrInputError` (nothing reaches the recognizer).
 */
export async function prepareImage(bytes: Uint8Array, opts: PrepareOptions = {}): Promise<PreparedImage> {
  if (bytes.byteLength === 0) throw new OcrInputError("corrupt", "the image is empty (0 bytes)");
  const input = () => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" });
  let meta: Metadata;
  try {
    meta = await input().metadata();
  } catch (err) {
    throw inputError(err);
  }
  if (!meta.width || !meta.height) throw new OcrInputError("corrupt", "not a readable image: no size");
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;
  if (width * height > MAX_INPUT_PIXELS) {
    throw new OcrInputError(
      "too-large",
      `image of ${width}×${height} pixels is over the ${MAX_INPUT_PIXELS.toLocaleString("en")}-pixel limit`,
    );
  }
  const scale = targetScale(width, height, opts.upscale ?? true);
  const ocrWidth = Math.max(1, Math.round(width * scale));
  const ocrHeight = Math.max(1, Math.round(height * scale));
  try {
    let img = input().rotate().flatten({ background: "#ffffff" }).grayscale();
    if (scale !== 1) img = img.resize(ocrWidth, ocrHeight, { kernel: scale > 1 ? "cubic" : "lanczos3" });
    if (opts.normalize ?? true) img = img.normalise();
    const { data, info } = await img
      .toColourspace("b-w")
      .png({ compressionLevel: 1 })
      .toBuffer({ resolveWithObject: true });
    return { png: data, width, height, ocrWidth: info.width, ocrHeight: info.height };
  } catch (err) {
    throw inputError(err);
  }
}

/** The scale factor for OCR: ×2 for small images, down to MAX_OCR_PIXELS for huge ones, else 1. */
export function targetScale(width: number, height: number, upscale = true): number {
  const pixels = width * height;
  if (pixels > MAX_OCR_PIXELS) return Math.sqrt(MAX_OCR_PIXELS / pixels);
  if (upscale && Math.max(width, height) < UPSCALE_BELOW_PX && pixels * 4 <= MAX_OCR_PIXELS) return 2;
  return 1;
}

function inputError(err: unknown): OcrInputError {
  const message = err instanceof Error ? err.message : String(err);
  return /pixel limit/i.test(message)
    ? new OcrInputError("too-large", `image is over the ${MAX_INPUT_PIXELS.toLocaleString("en")}-pixel limit`)
    : new OcrInputError("corrupt", `not a readable image: ${message}`);
}
