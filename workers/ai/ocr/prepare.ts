import sharp, { type Metadata } from "sharp";
import { OcrInputError } from "./errors.ts";

/** Decoding refuses images above this many pixels (a decompression bomb guard; ~15,000 × 10,000). */
export const MAX_INPUT_PIXELS = 150_000_000;
/** The recognizer sees at most this many pixels (a 300 dpi A4 page is ~8.7 MP); larger images are scaled down. */
export const MAX_OCR_PIXELS = 12_000_000;
/**
 * Images whose long side is below UPSCALE_BELOW_PX are scaled up towards UPSCALE_TARGET_PX (at most
 * ×MAX_UPSCALE): a letter page 800 px tall read 61% → 89% of its words at ×2 (corpus scans), while a
 * page of ~1650 px read best as it is (×1.5 and ×2 lowered accuracy on mild and harsh scans).
 */
export const UPSCALE_BELOW_PX = 1200;
export const UPSCALE_TARGET_PX = 1650;
export const MAX_UPSCALE = 3;
/** Longest time one sharp pipeline may run (libvips stops it). */
export const PREPARE_TIMEOUT_SECONDS = 30;

export interface PreparedImage {
  /** A grayscale PNG for the recognizer. */
  png: Buffer;
  /** The source image's size (after EXIF orientation). */
  width: number;
  height: number;
  /** The prepared image's size: the frame of the recognizer's boxes. */
  ocrWidth: number;
  ocrHeight: number;
  /** True when the prepared image looks like pixel noise (see `looksLikeNoise`): it is not recognized. */
  noise: boolean;
}

/**
 * Noise, not a page: grey-level entropy over NOISE_MIN_ENTROPY bits and sharpness (sharp's
 * Laplacian-based estimate) over NOISE_MIN_SHARPNESS. Measured: the corpus's 30 MB noise PNG
 * 7.63 / 25.7 (tesseract was still reading it after 120 s); mild and harsh scans 2.7-4.6 / 0.7-4.0;
 * a picture of soft gradients 6.7 / 0.1. Pure.
 */
export const NOISE_MIN_ENTROPY = 7;
export const NOISE_MIN_SHARPNESS = 15;
export function looksLikeNoise(stats: { entropy: number; sharpness: number }): boolean {
  return stats.entropy > NOISE_MIN_ENTROPY && stats.sharpness > NOISE_MIN_SHARPNESS;
}

/**
 * Decodes any image sharp reads (PNG, JPEG, TIFF, WebP, GIF: first frame) and prepares it for OCR:
 * EXIF orientation applied, transparency flattened on white, grayscale, small images scaled up and
 * huge ones scaled down to MAX_OCR_PIXELS; flags pixel noise (`looksLikeNoise`). Contrast stretching (`normalise`) was measured and left
 * out: it amplifies scan noise (mild scans 97% → 91% of words, harsh 87% → 69%). Unreadable bytes
 * or an image over MAX_INPUT_PIXELS → `OcrInputError` (nothing reaches the recognizer).
 */
export async function prepareImage(bytes: Uint8Array): Promise<PreparedImage> {
  if (bytes.byteLength === 0) throw new OcrInputError("corrupt", "the image is empty (0 bytes)");
  const input = () =>
    sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" }).timeout({
      seconds: PREPARE_TIMEOUT_SECONDS,
    });
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
  if (width * height > MAX_INPUT_PIXELS) throw tooLarge(`${width}×${height} pixels`);
  const scale = targetScale(width, height);
  const ocrWidth = Math.max(1, Math.round(width * scale));
  const ocrHeight = Math.max(1, Math.round(height * scale));
  try {
    let img = input().rotate().flatten({ background: "#ffffff" }).grayscale();
    if (scale !== 1) img = img.resize(ocrWidth, ocrHeight, { kernel: scale > 1 ? "cubic" : "lanczos3" });
    const { data, info } = await img.toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    const raw = { width: info.width, height: info.height, channels: info.channels };
    const stats = await sharp(data, { raw }).stats();
    const png = await sharp(data, { raw }).toColourspace("b-w").png({ compressionLevel: 1 }).toBuffer();
    return { png, width, height, ocrWidth: info.width, ocrHeight: info.height, noise: looksLikeNoise(stats) };
  } catch (err) {
    throw inputError(err);
  }
}

/** The scale factor for OCR: up for small images, down to MAX_OCR_PIXELS for huge ones, else 1. Pure. */
export function targetScale(width: number, height: number): number {
  const pixels = width * height;
  if (pixels > MAX_OCR_PIXELS) return Math.sqrt(MAX_OCR_PIXELS / pixels);
  const long = Math.max(width, height);
  if (long >= UPSCALE_BELOW_PX) return 1;
  const up = Math.min(MAX_UPSCALE, UPSCALE_TARGET_PX / long, Math.sqrt(MAX_OCR_PIXELS / pixels));
  return Math.round(up * 100) / 100;
}

function tooLarge(what: string): OcrInputError {
  return new OcrInputError(
    "too-large",
    `the image (${what}) is over the ${MAX_INPUT_PIXELS.toLocaleString("en")}-pixel limit`,
  );
}

function inputError(err: unknown): OcrInputError {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return tooLarge(message);
  if (/timeout/i.test(message))
    return new OcrInputError("too-large", `preparing the image timed out (${message})`);
  if (/unsupported image format/i.test(message))
    return new OcrInputError("unsupported", `not an image format OCR reads (${message})`);
  return new OcrInputError("corrupt", `the image cannot be decoded: ${message}`);
}
