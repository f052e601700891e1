import type { Step } from "../sdk/define-step.ts";
import { classify } from "./classify.ts";
import { detect } from "./detect.ts";
import { extract } from "./extract.ts";
import { greet } from "./greet.ts";
import { humanReview } from "./human-review.ts";
import { pdfRender } from "./pdf-render.ts";
import { pdfText } from "./pdf-text.ts";
import { reviewGate } from "./review-gate.ts";
import { saveResults } from "./save-results.ts";
import { thumbnail } from "./thumbnail.ts";
import { StepRegistry } from "./registry.ts";

/** Every step this worker build ships (their names are `BUILT_IN_STEP_NAMES` in shared/workflows/step-manifest.ts). */
export const BUILT_IN_STEPS: readonly Step[] = [
  greet,
  classify,
  extract,
  humanReview,
  reviewGate,
  saveResults,
  detect,
  pdfText,
  pdfRender,
  thumbnail,
];

/** The registry of every step this worker build ships. */
export function defaultSteps(): StepRegistry {
  return new StepRegistry().add(...BUILT_IN_STEPS);
}
