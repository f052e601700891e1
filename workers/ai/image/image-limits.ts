import { StepError } from "../../sdk/step-error.ts";
import { DocumentErrors } from "../document-errors.ts";
import { MAX_INPUT_PIXELS } from "../ocr/prepare.ts";

/**
 * Bounds on decoding images: the OCR's input limit (150 MP), so `detect` refuses exactly what the OCR
 * could not read. Big images within it are scaled down, never decoded whole at once (a 100 MP PNG
 * thumbnails in ~0.7 s and ~50 MB). Bigger inputs are refused (`Sluice.ImageTooLarge`) from the header,
 * before any pixel is decoded; sharp enforces the same bound while decoding (`limitInputPixels`), so
 * a file whose header lies about its size still stops.
 */
export const DEFAULT_MAX_IMAGE_PIXELS = MAX_INPUT_PIXELS;

/** Longest time one sharp pipeline may run (libvips stops it and sharp rejects). */
export const DEFAULT_IMAGE_TIMEOUT_SECONDS = 30;

/** The document StepError for a sharp failure. */
export function sharpError(err: unknown, maxPixels: number): StepError {
  if (err instanceof StepError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) {
    return new StepError(DocumentErrors.imageTooLarge, `the image is over ${maxPixels} pixels (${message})`);
  }
  if (/unsupported image format/i.test(message)) {
    return new StepError(DocumentErrors.unsupported, `the image format is not supported (${message})`);
  }
  if (/timeout/i.test(message)) {
    return new StepError(DocumentErrors.imageTooLarge, `processing the image timed out (${message})`);
  }
  return new StepError(DocumentErrors.corrupt, `the image cannot be decoded: ${message}`);
}

/** Refuses `width`×`height` over `maxPixels` (pure). */
export function checkPixels(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new StepError(
      DocumentErrors.imageTooLarge,
      `the image is ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels}`,
    );
  }
}
