import { z } from "zod";
import type { PageLayout } from "../layout.ts";

/** A field as `extract` gives it. */
const FieldSchema = z.object({ value: z.unknown(), confidence: z.number().min(0).max(1) }).loose();
export type ResultField = z.infer<typeof FieldSchema>;

/**
 * A reviewer's approval may correct the result: `{"type": "invoice", "fields": {"total": "12.50"}}`
 * (plain values). Anything else in the decision is kept as it is and changes nothing.
 */
export const ReviewCorrectionSchema = z
  .object({
    type: z.string().min(1).max(100).optional(),
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  })
  .loose();

export const FinalResultInputSchema = z.object({
  classification: z.object({ type: z.string(), confidence: z.number() }).loose(),
  extraction: z.object({ fields: z.record(z.string(), FieldSchema) }).loose(),
  decision: z.unknown().optional(),
});

/**
 * The result as it stands after review: the classifier's type and the extracted fields, with a
 * reviewer's corrections applied (a corrected field gets confidence 1 and `corrected: true`). Pure.
 */
export function finalResult(input: z.infer<typeof FinalResultInputSchema>): {
  type: string;
  fields: Record<string, ResultField>;
} {
  const correction = ReviewCorrectionSchema.safeParse(input.decision ?? {});
  const fix = correction.success ? correction.data : {};
  const fields: Record<string, ResultField> = { ...input.extraction.fields };
  for (const [name, value] of Object.entries(fix.fields ?? {}))
    fields[name] = { value, confidence: 1, corrected: true };
  return { type: fix.type ?? input.classification.type, fields };
}

/** Every page's text in page order, pages separated by a form feed (what `text.txt` holds). */
export function documentText(layouts: readonly PageLayout[]): string {
  return [...layouts]
    .sort((a, b) => a.page - b.page)
    .map((l) => l.text)
    .join("\n\f\n");
}
