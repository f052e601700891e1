import sharp, { type Metadata } from "sharp";
import { StepError } from "../../sdk/step-error.ts";
import { DocumentErrors } from "../document-errors.ts";
import { SUPPORTED_FORMATS, sniffFormat } from "../sniff.ts";
import { DEFAULT_MAX_IMAGE_PIXELS, checkPixels, sharpError } from "./image-limits.ts";

export interface ImageInfo {
  mime: "image/png" | "image/jpeg" | "image/webp";
  width: number;
  height: number;
}

/**
 * Reads an image's header (no pixel is decoded): its type and size. Not an image Sluice reads →
 * `Sluice.UnsupportedDocument`; a header that does not parse → `Sluice.CorruptDocument`; over
 * `maxPixels` → `Sluice.ImageTooLarge`.
 */
export async function probeImage(
  bytes: Uint8Array,
  options: { maxPixels?: number } = {},
): Promise<ImageInfo> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  const sniffed = sniffFormat(bytes);
  if (sniffed.format === "empty") throw new StepError(DocumentErrors.corrupt, "the image is empty (0 bytes)");
  if (sniffed.format !== "png" && sniffed.format !== "jpeg" && sniffed.format !== "webp") {
    throw new StepError(
      DocumentErrors.unsupported,
      `expected a PNG, JPEG or WebP image, got ${sniffed.format === "pdf" ? "a PDF" : sniffed.what} (Sluice reads ${SUPPORTED_FORMATS})`,
    );
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw sharpError(err, maxPixels);
  }
  if (!meta.width || !meta.height)
    throw new StepError(DocumentErrors.corrupt, "the image header has no size");
  checkPixels(meta.width, meta.height, maxPixels);
  return { mime: sniffed.mime, width: meta.width, height: meta.height };
}
