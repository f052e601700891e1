import { z } from "zod";
import { classifyLayouts } from "../ai/classify/classify-layouts.ts";
import { loadClassifierModel } from "../ai/classify/load-model.ts";
import { classifyText, DOCUMENT_TYPES, OTHER_TYPE } from "../ai/classify/model.ts";
import { defineStep } from "../sdk/define-step.ts";
import { MAX_LAYOUT_KEYS, readLayouts } from "./read-layouts.ts";

export const ClassifyInputSchema = z.union([
  z.object({ layoutKeys: z.array(z.string().min(1)).min(1).max(MAX_LAYOUT_KEYS) }),
  /** A document's text directly (short texts, the review demo). */
  z.object({ text: z.string().max(1_000_000) }),
]);

export const ClassifyOutputSchema = z.strictObject({
  type: z.enum([...DOCUMENT_TYPES, OTHER_TYPE]),
  /** Calibrated probability of the top type. */
  confidence: z.number().min(0).max(1),
  /** Calibrated probability of every trained type. */
  scores: z.record(z.string(), z.number().min(0).max(1)),
});

/**
 * `classify`: the document's type from its page layouts (`{layoutKeys}`, as `pdf-text` and `ocr`
 * write them) or from `{text}`, by the trained classifier shipped in `models/classifier/`
 * (workers/ai/classify; retrain with `npm run train -- classifier`). `other` when the top
 * calibrated probability is below the model's floor.
 */
export const classify = defineStep({
  name: "classify",
  description:
    "Document type (invoice, receipt, contract, letter, purchase_order, or other) with a calibrated confidence, from page layouts or text",
  input: ClassifyInputSchema,
  output: ClassifyOutputSchema,
  run: async (input, ctx) => {
    const model = await loadClassifierModel();
    if ("layoutKeys" in input) return classifyLayouts(model, await readLayouts(ctx.blobs, input.layoutKeys));
    return classifyText(model, input.text);
  },
});
