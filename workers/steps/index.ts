import type { Step } from "../sdk/define-step.ts";
import { classify } from "./classify.ts";
import { greet } from "./greet.ts";
import { humanReview } from "./human-review.ts";
import { reviewGate } from "./review-gate.ts";
import { saveResults } from "./save-results.ts";
import { StepRegistry } from "./registry.ts";

/** Every step this worker build ships (their names are `BUILT_IN_STEP_NAMES` in shared/workflows/step-manifest.ts). */
export const BUILT_IN_STEPS: readonly Step[] = [greet, classify, humanReview, reviewGate, saveResults];

/** The registry of every step this worker build ships. */
export function defaultSteps(): StepRegistry {
  return new StepRegistry().add(...BUILT_IN_STEPS);
}
