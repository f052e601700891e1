import type { Step } from "../sdk/define-step.ts";
import { classify } from "./classify.ts";
import { detect } from "./detect.ts";
import { extract } from "./extract.ts";
import { greet } from "./greet.ts";
import { humanReview } from "./human-review.ts";
import { pdfRender } from "./pdf-render.ts";
import { pdfText } from "./pdf-text.ts";
import { createLlmStep, llm } from "./llm.ts";
import type { LlmRuntime } from "../ai/llm/run-llm.ts";
import { lateLlmRuntime, type LlmRuntimeHost } from "../ai/llm/llm-runtime.ts";
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
  llm,
];

/** What some built-in steps need from the worker; without it they fail clearly (`llm`: not configured). */
export interface BuiltInStepDeps {
  /** The `llm` step's provider, budgets and caps (workers/ai/llm/llm-runtime.ts). */
  llm?: LlmRuntime;
}

/** The registry of every step this worker build ships. */
export function defaultSteps(deps: BuiltInStepDeps = {}): StepRegistry {
  const llmStep = deps.llm !== undefined ? createLlmStep(deps.llm) : llm;
  return new StepRegistry().add(...BUILT_IN_STEPS.map((s) => (s.name === llmStep.name ? llmStep : s)));
}

/**
 * The built-in steps for a worker process, with `bindRuntime` to call once its runtime exists: the
 * `llm` step then uses the configured provider (SLUICE_LLM_PROVIDER) and the runtime's MongoDB for
 * token budgets.
 */
export function builtInSteps(): { steps: StepRegistry; bindRuntime: (host: LlmRuntimeHost) => void } {
  const llmRuntime = lateLlmRuntime();
  return { steps: defaultSteps({ llm: llmRuntime.runtime }), bindRuntime: (host) => llmRuntime.bind(host) };
}
