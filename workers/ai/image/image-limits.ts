import { StepError } from "../../steps/registry.ts";
import { DocumentErrors } from "../document-errors.ts";

/**
 * Bounds on decoding images. A 40 MP image is a 600 dpi A4 scan with room to spare; decoded RGBA it
 * is ~160 MB, the most one step may hold. Bigger inputs are refused (`Sluice.ImageTooLarge`) before
 * any pixel is decoded; sharp enforces the same bound while decoding (`limitInputPixels`), so a file
 * whose header lies about its size still stops.
 */
export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000;

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
