import {
  decideReview,
  ReviewGateInputSchema,
  ReviewGateOutputSchema,
  ReviewSettingsSchema,
} from "../ai/review/decide-review.ts";
import { defineStep } from "../sdk/define-step.ts";

/**
 * `review`: decides whether a result needs a human — the type is `other`, or the type's confidence or
 * any field's is below the tenant's step setting `review.minConfidence` (default 0.8). It only
 * decides; the workflow's Choice sends the job to `human-review`, which parks it.
 */
export const reviewGate = defineStep({
  name: "review",
  description: "Compares a result's confidences with the tenant's review.minConfidence (default 0.8)",
  input: ReviewGateInputSchema,
  output: ReviewGateOutputSchema,
  settings: ReviewSettingsSchema,
  run: async (input, ctx) => decideReview(input, ctx.settings.minConfidence),
});
