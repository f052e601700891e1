import { z } from "zod";
import { DEFAULT_MAX_PAGES, detectDocument } from "../ai/detect-document.ts";
import { DEFAULT_MAX_IMAGE_PIXELS } from "../ai/image/image-limits.ts";
import { defineStep } from "../sdk/define-step.ts";
import { BlobRefSchema, documentLimits, readDocument, withTimeBound } from "./document-step-support.ts";

/**
 * `detect`: what kind of document a job got, from its bytes — `text-pdf` (every page has a text layer:
 * read it with `pdf-text`), `image-pdf` (render and OCR), or `image` (PNG/JPEG/WebP: OCR). Fails with
 * `Sluice.CorruptDocument`, `Sluice.UnsupportedDocument`, `Sluice.EncryptedDocument`,
 * `Sluice.TooManyPages` (over `maxPages`), `Sluice.ImageTooLarge`, `Sluice.PayloadTooLarge`.
 */
export const detect = defineStep({
  name: "detect",
  description: "Detects a document's kind (text-pdf, image-pdf, image), type and page count from its bytes.",
  input: z.object({ document: BlobRefSchema }),
  output: z.object({
    kind: z.enum(["text-pdf", "image-pdf", "image"]),
    mime: z.string(),
    pages: z.number().int().min(1),
    bytes: z.number().int().min(1),
  }),
  settings: z.object({
    maxPages: z.number().int().min(1).max(10_000).default(DEFAULT_MAX_PAGES),
    maxImagePixels: z.number().int().min(1).default(DEFAULT_MAX_IMAGE_PIXELS),
    ...documentLimits(60),
  }),
  run: async ({ document }, ctx) => {
    const s = ctx.settings;
    const bytes = await readDocument(ctx, document.key, s.maxDocumentBytes);
    const found = await withTimeBound(ctx, s.timeoutSeconds, "detecting the document", (signal) =>
      detectDocument(bytes, { maxPages: s.maxPages, maxImagePixels: s.maxImagePixels, signal }),
    );
    ctx.log.info({ step: "detect", ...found, bytes: bytes.byteLength }, "document detected");
    return { ...found, bytes: bytes.byteLength };
  },
});
