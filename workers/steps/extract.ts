import { z } from "zod";
import { DOCUMENT_TYPES, OTHER_TYPE } from "../ai/classify/model.ts";
import { extractFields } from "../ai/extract/extract.ts";
import { defineStep } from "../sdk/define-step.ts";
import { MAX_LAYOUT_KEYS, readLayouts } from "./read-layouts.ts";

const TYPE = z.enum([...DOCUMENT_TYPES, OTHER_TYPE]);

export const ExtractInputSchema = z.object({
  type: TYPE,
  layoutKeys: z.array(z.string().min(1)).min(1).max(MAX_LAYOUT_KEYS),
});

export const ExtractOutputSchema = z.strictObject({
  type: TYPE,
  fields: z.record(
    z.string(),
    z.strictObject({ value: z.string().nullable(), confidence: z.number().min(0).max(1) }),
  ),
  /** The lowest field confidence (0 when a field is missing or the type is `other`). */
  confidence: z.number().min(0).max(1),
});

/**
 * `extract`: the fields of a document of a known type (names shared with the corpus ground truth:
 * invoice_number, invoice_date, due_date, vendor, total, currency; merchant, date; po_number, buyer;
 * parties, effective_date, term; sender, recipient, subject), each with a confidence, read from the
 * page layouts' words and positions (workers/ai/extract). A field not found is `{value: null,
 * confidence: 0}`; an `other` document has no fields.
 */
export const extract = defineStep({
  name: "extract",
  description:
    "Per-type fields with confidences from page layouts (labels, positions, normalized dates and amounts)",
  input: ExtractInputSchema,
  output: ExtractOutputSchema,
  run: async (input, ctx) => extractFields(input.type, await readLayouts(ctx.blobs, input.layoutKeys)),
});
