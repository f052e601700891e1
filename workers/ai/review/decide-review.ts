import { z } from "zod";

/** The confidence under which a result goes to a human when the tenant set none. */
export const DEFAULT_MIN_CONFIDENCE = 0.8;

export const ReviewGateInputSchema = z.object({
  classification: z.object({ type: z.string(), confidence: z.number().min(0).max(1) }),
  fields: z.record(
    z.string(),
    z.object({ value: z.unknown(), confidence: z.number().min(0).max(1) }).loose(),
  ),
});
export type ReviewGateInput = z.infer<typeof ReviewGateInputSchema>;

export const ReviewGateOutputSchema = z.object({
  needsReview: z.boolean(),
  minConfidence: z.number().min(0).max(1),
  /** The lowest confidence seen (the type's or a field's). */
  lowest: z.number().min(0).max(1),
  /** Why a human is asked, e.g. `type other`, `total 0.62 < 0.8`; empty when not. */
  reasons: z.array(z.string()),
});
export type ReviewGateOutput = z.infer<typeof ReviewGateOutputSchema>;

/** The tenant's step settings of `review` (its document's `steps.review`): `{ minConfidence: 0..1 }`. */
export const ReviewSettingsSchema = z
  .object({ minConfidence: z.number().min(0).max(1).default(DEFAULT_MIN_CONFIDENCE) })
  .loose();

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Whether a document's result needs a human: the type is `other` (nothing recognised), or the type's
 * confidence or any field's is below `minConfidence`. Pure.
 */
export function decideReview(input: ReviewGateInput, minConfidence: number): ReviewGateOutput {
  const reasons: string[] = [];
  if (input.classification.type === "other") reasons.push("type other");
  const checks: [string, number][] = [
    ["type", input.classification.confidence],
    ...Object.entries(input.fields).map(([name, f]): [string, number] => [name, f.confidence]),
  ];
  for (const [name, c] of checks)
    if (c < minConfidence) reasons.push(`${name} ${round(c)} < ${minConfidence}`);
  return {
    needsReview: reasons.length > 0,
    minConfidence,
    lowest: round(Math.min(...checks.map(([, c]) => c))),
    reasons,
  };
}
