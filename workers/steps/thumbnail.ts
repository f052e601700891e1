import { z } from "zod";
import { DEFAULT_MAX_IMAGE_PIXELS } from "../ai/image/image-limits.ts";
import { DEFAULT_THUMBNAIL_SIDE, makeThumbnail } from "../ai/image/make-thumbnail.ts";
import { defineStep } from "../sdk/define-step.ts";
import { BlobRefSchema, documentLimits, readDocument, withTimeBound } from "./document-step-support.ts";

/**
 * `thumbnail`: a preview of a document (`{document}`: an image, or a PDF's first page) or of an image
 * (`{image}`, e.g. a rendered page), at most `maxSide` pixels on its longer side, written beside the
 * job's other results: `thumbnail.png` (`.webp` with `format: "webp"`), or
 * `pages/<n>.thumbnail.png` when the input names its `page`. Fails with `Sluice.CorruptDocument`,
 * `Sluice.UnsupportedDocument`, `Sluice.EncryptedDocument`, `Sluice.ImageTooLarge`,
 * `Sluice.PayloadTooLarge`, `Sluice.DocumentTimeout`.
 */
export const thumbnail = defineStep({
  name: "thumbnail",
  description: "Writes a small PNG/WebP preview of a document (first page) or an image.",
  input: z.union([
    z.object({ document: BlobRefSchema, page: z.number().int().min(1).optional() }),
    z.object({ image: BlobRefSchema, page: z.number().int().min(1).optional() }),
  ]),
  output: z.object({
    thumbnailKey: z.string(),
    width: z.number().int().min(1),
    height: z.number().int().min(1),
  }),
  settings: z.object({
    maxSide: z.number().int().min(16).max(4096).default(DEFAULT_THUMBNAIL_SIDE),
    format: z.enum(["png", "webp"]).default("png"),
    maxImagePixels: z.number().int().min(1).default(DEFAULT_MAX_IMAGE_PIXELS),
    ...documentLimits(60),
  }),
  run: async (input, ctx) => {
    const s = ctx.settings;
    const source = "document" in input ? input.document : input.image;
    const bytes = await readDocument(ctx, source.key, s.maxDocumentBytes);
    const thumb = await withTimeBound(ctx, s.timeoutSeconds, "making the thumbnail", (signal) =>
      makeThumbnail(bytes, { maxSide: s.maxSide, format: s.format, maxPixels: s.maxImagePixels, signal }),
    );
    const name =
      input.page === undefined ? `thumbnail.${thumb.format}` : `${input.page}.thumbnail.${thumb.format}`;
    const parts = input.page === undefined ? [name] : ["pages", name];
    const { key } = await ctx.blobs.put(parts, thumb.data, { contentType: thumb.mime });
    return { thumbnailKey: key, width: thumb.width, height: thumb.height };
  },
});
