import { z } from "zod";
import { PageLayoutSchema } from "../ai/layout.ts";
import { documentText, finalResult, FinalResultInputSchema } from "../ai/results/final-result.ts";
import { defineStep } from "../sdk/define-step.ts";

/** A page layout is small (words of one page); anything bigger is not one. */
const MAX_LAYOUT_BYTES = 16 * 1024 * 1024;

const FieldSchema = z.object({ value: z.unknown(), confidence: z.number().min(0).max(1) }).loose();

export const SaveResultsInputSchema = z.object({
  /** The pages' layout keys, in page order (what `pdf-text` / `ocr` returned). */
  layoutKeys: z.array(z.string().min(1).max(1024)).max(10_000),
  /** What the workflow knows of the document; with `classification` and `extraction` it is a full result. */
  result: z.record(z.string(), z.unknown()),
});

export const SaveResultsOutputSchema = z.object({
  textKey: z.string(),
  resultKey: z.string(),
  chars: z.number().int().min(0),
  /** The type after review (null without a classification). */
  type: z.string().nullable(),
  fields: z.record(z.string(), FieldSchema),
});

/**
 * `save-results`: writes the document's text (`text.txt`, every page in order) and its result
 * (`result.json`: what the workflow passed, with the final type and fields — a reviewer's corrections
 * applied) under the job's prefix, and returns their keys with the final type and fields.
 */
export const saveResults = defineStep({
  name: "save-results",
  description: "Stores text.txt and result.json under the job's prefix",
  input: SaveResultsInputSchema,
  output: SaveResultsOutputSchema,
  run: async (input, ctx) => {
    const layouts = await Promise.all(
      input.layoutKeys.map(async (key) =>
        PageLayoutSchema.parse(await ctx.blobs.getJson(key, { maxBytes: MAX_LAYOUT_BYTES })),
      ),
    );
    const text = documentText(layouts);
    const review = input.result["review"] as { decision?: unknown } | undefined;
    const full = FinalResultInputSchema.safeParse({
      classification: input.result["classification"],
      extraction: input.result["extraction"],
      decision: review?.decision ?? undefined,
    });
    const final = full.success ? finalResult(full.data) : { type: null, fields: {} };
    const textPut = await ctx.blobs.put(["text.txt"], text, { contentType: "text/plain; charset=utf-8" });
    const resultPut = await ctx.blobs.put(
      ["result.json"],
      JSON.stringify({
        ...input.result,
        type: final.type,
        fields: final.fields,
        text: { key: textPut.key, chars: text.length },
      }),
      { contentType: "application/json" },
    );
    return { textKey: textPut.key, resultKey: resultPut.key, chars: text.length, ...final };
  },
});
