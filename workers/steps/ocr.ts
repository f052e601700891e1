/**
 * The `ocr` step: reads the words of one page image (`{image: {key}, page}`) with the worker's OCR
 * engine pool and writes its page layout (workers/ai/layout.ts) to `pages/<page>.layout.json` under
 * the job's prefix; returns `{page, layoutKey, chars, confidence}`. An image with no text completes
 * with empty text, and so does an image of pixel noise (not recognized at all).
 *
 * Task errors: `Sluice.UnsupportedDocument` (not an image format), `Sluice.CorruptDocument` (an
 * image that does not decode), `Sluice.ImageTooLarge` (over the decoder's pixel limit, as `detect`
 * refuses it), `Sluice.OcrFailed` (the recognizer failed; worth a Retry), `Sluice.OcrTimeout` (a
 * page over the 60 s budget), and the SDK's blob errors (`Sluice.BlobNotFound`, …). Heartbeats while
 * it waits for an engine and while it recognizes; an abort (timeout, lapsed heartbeat, shutdown)
 * replaces the busy engine.
 */
import { z } from "zod";
import { DocumentErrors } from "../ai/document-errors.ts";
import { OcrEngineError, OcrInputError, OcrTimeoutError } from "../ai/ocr/errors.ts";
import { ocrImage } from "../ai/ocr/ocr-image.ts";
import type { OcrPool } from "../ai/ocr/pool.ts";
import { defineStep, StepError, type Step } from "../sdk/index.ts";

export const OCR_STEP = "ocr";

/** Largest image the step reads (a 30 MB scan is read and scaled down; the pixel limit guards decoding). */
export const OCR_MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/** How often the step heartbeats while waiting for an engine or recognizing. */
export const OCR_HEARTBEAT_MS = 5000;

export const OcrStepInput = z.object({
  image: z.object({ key: z.string().min(1) }),
  page: z.number().int().min(1),
});

export const OcrStepOutput = z.strictObject({
  page: z.number().int().min(1),
  layoutKey: z.string().min(1),
  chars: z.number().int().min(0),
  confidence: z.number().min(0).max(1),
});

/** The recognizer failed (a rejected recognition, a crashed engine): transient, worth a Retry. */
export const OCR_FAILED = "Sluice.OcrFailed";
/** The page kept an engine past the page budget (60 s): the same page would again; not worth a Retry. */
export const OCR_TIMEOUT = "Sluice.OcrTimeout";

const INPUT_ERRORS: Record<OcrInputError["code"], string> = {
  unsupported: DocumentErrors.unsupported,
  corrupt: DocumentErrors.corrupt,
  "too-large": DocumentErrors.imageTooLarge,
};

export function createOcrStep(pool: OcrPool): Step {
  return defineStep({
    name: OCR_STEP,
    description: "Reads the words of a page image (tesseract.js, English) into pages/<n>.layout.json",
    input: OcrStepInput,
    output: OcrStepOutput,
    async run({ image, page }, ctx) {
      const bytes = await ctx.blobs.get(image.key, { maxBytes: OCR_MAX_IMAGE_BYTES });
      const beat = setInterval(() => {
        ctx.heartbeat().catch(() => {});
      }, OCR_HEARTBEAT_MS);
      let layout;
      try {
        layout = await ocrImage(pool, bytes, { page, signal: ctx.signal });
      } catch (err) {
        throw asStepError(err);
      } finally {
        clearInterval(beat);
      }
      const { key } = await ctx.blobs.put(["pages", `${page}.layout.json`], JSON.stringify(layout), {
        contentType: "application/json",
      });
      ctx.log.debug({ page, words: layout.words.length, confidence: layout.confidence }, "page read");
      return { page, layoutKey: key, chars: layout.text.length, confidence: layout.confidence };
    },
  });
}

function asStepError(err: unknown): unknown {
  if (err instanceof OcrInputError) return new StepError(INPUT_ERRORS[err.code], err.message);
  if (err instanceof OcrEngineError) return new StepError(OCR_FAILED, err.message);
  if (err instanceof OcrTimeoutError) return new StepError(OCR_TIMEOUT, err.message);
  return err;
}
