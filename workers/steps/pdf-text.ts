import { z } from "zod";
import { extractPdfLayouts } from "../ai/pdf/extract-layouts.ts";
import { defineStep } from "../sdk/define-step.ts";
import { BlobRefSchema, documentLimits, readDocument, withTimeBound } from "./document-step-support.ts";

/**
 * `pdf-text`: one page's text layer as a page layout (workers/ai/layout.ts), written as JSON to
 * `pages/<n>.layout.json` under the job's prefix. A page without a text layer gives an empty layout
 * (`chars: 0`). Fails with `Sluice.CorruptDocument`, `Sluice.EncryptedDocument`, `Sluice.NoSuchPage`,
 * `Sluice.PayloadTooLarge`, `Sluice.DocumentTimeout`.
 */
export const pdfText = defineStep({
  name: "pdf-text",
  description:
    "Reads one PDF page's text layer into a page layout (words with boxes) at pages/<n>.layout.json.",
  input: z.object({ document: BlobRefSchema, page: z.number().int().min(1) }),
  output: z.object({ page: z.number().int().min(1), layoutKey: z.string(), chars: z.number().int().min(0) }),
  settings: z.object(documentLimits(60)),
  run: async ({ document, page }, ctx) => {
    const s = ctx.settings;
    const bytes = await readDocument(ctx, document.key, s.maxDocumentBytes);
    const [layout] = await withTimeBound(
      ctx,
      s.timeoutSeconds,
      `reading the text of page ${page}`,
      (signal) => extractPdfLayouts(bytes, { pages: [page], signal }),
    );
    const { key } = await ctx.blobs.put(["pages", `${page}.layout.json`], JSON.stringify(layout), {
      contentType: "application/json",
    });
    return { page, layoutKey: key, chars: layout!.text.length };
  },
});
