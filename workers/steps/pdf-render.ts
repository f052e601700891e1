import { z } from "zod";
import { DEFAULT_MAX_RENDER_PIXELS, DEFAULT_RENDER_SCALE, renderPdfPage } from "../ai/pdf/render-page.ts";
import { defineStep } from "../sdk/define-step.ts";
import { BlobRefSchema, documentLimits, readDocument, withTimeBound } from "./document-step-support.ts";

/**
 * `pdf-render`: one PDF page as a PNG at `pages/<n>.png` under the job's prefix (for OCR or display),
 * at `scale` pixels per point (default 2, i.e. 144 dpi), scaled down to stay within `maxPixels`.
 * Fails with `Sluice.CorruptDocument`, `Sluice.EncryptedDocument`, `Sluice.NoSuchPage`,
 * `Sluice.PayloadTooLarge`, `Sluice.DocumentTimeout`.
 */
export const pdfRender = defineStep({
  name: "pdf-render",
  description: "Renders one PDF page to a PNG at pages/<n>.png.",
  input: z.object({
    document: BlobRefSchema,
    page: z.number().int().min(1),
    scale: z.number().min(0.1).max(8).optional(),
  }),
  output: z.object({
    page: z.number().int().min(1),
    imageKey: z.string(),
    width: z.number().int().min(1),
    height: z.number().int().min(1),
  }),
  settings: z.object({
    scale: z.number().min(0.1).max(8).default(DEFAULT_RENDER_SCALE),
    maxPixels: z.number().int().min(1).max(200_000_000).default(DEFAULT_MAX_RENDER_PIXELS),
    ...documentLimits(120),
  }),
  run: async ({ document, page, scale }, ctx) => {
    const s = ctx.settings;
    const bytes = await readDocument(ctx, document.key, s.maxDocumentBytes);
    const rendered = await withTimeBound(ctx, s.timeoutSeconds, `rendering page ${page}`, (signal) =>
      renderPdfPage(bytes, page, { scale: scale ?? s.scale, maxPixels: s.maxPixels, signal }),
    );
    const { key } = await ctx.blobs.put(["pages", `${page}.png`], rendered.png, { contentType: "image/png" });
    return { page, imageKey: key, width: rendered.width, height: rendered.height };
  },
});
