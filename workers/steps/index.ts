import { greet } from "./greet.ts";
import { HUMAN_REVIEW_STEP, humanReview } from "./human-review.ts";
import { classify } from "./classify.ts";
import { StepRegistry } from "./registry.ts";

/** The registry of every step this worker build ships. */
export function defaultSteps(): StepRegistry {
  return new StepRegistry()
    .register("greet", greet)
    .register("classify", classify)
    .register(HUMAN_REVIEW_STEP, humanReview);
}
