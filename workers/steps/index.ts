import type { SluiceConfig } from "../../shared/config/config.ts";
import { createOcrPool } from "../ai/ocr/pool.ts";
import type { Step } from "../sdk/define-step.ts";
import { classify } from "./classify.ts";
import { detect } from "./detect.ts";
import { extract } from "./extract.ts";
import { greet } from "./greet.ts";
import { humanReview } from "./human-review.ts";
import { pdfRender } from "./pdf-render.ts";
import { pdfText } from "./pdf-text.ts";
import { createOcrStep } from "./ocr.ts";
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
  /** Engines of the `ocr` step's pool (SLUICE_OCR_POOL_SIZE), read when the first one starts; default 1. */
  ocrPoolSize?: number | (() => number);
}

/**
 * The registry of every step this worker build ships, with the resources they share (the `ocr`
 * step's engine pool, whose engines start on first use): `registry.close()` ends them.
 */
export function defaultSteps(deps: BuiltInStepDeps = {}): StepRegistry {
  const llmStep = deps.llm !== undefined ? createLlmStep(deps.llm) : llm;
  const ocrPool = createOcrPool({ size: deps.ocrPoolSize ?? 1 });
  return new StepRegistry()
    .add(...BUILT_IN_STEPS.map((s) => (s.name === llmStep.name ? llmStep : s)), createOcrStep(ocrPool))
    .own(ocrPool);
}

/** What `bindRuntime` reads of the worker's runtime. */
export type BuiltInStepHost = LlmRuntimeHost & { readonly config: Pick<SluiceConfig, "ocr"> };

/**
 * The built-in steps for a worker process, with `bindRuntime` to call once its runtime exists: the
 * `llm` step then uses the configured provider (SLUICE_LLM_PROVIDER) and the runtime's MongoDB for
 * token budgets, and the `ocr` step's pool the configured size (SLUICE_OCR_POOL_SIZE).
 */
export function builtInSteps(): { steps: StepRegistry; bindRuntime: (host: BuiltInStepHost) => void } {
  const llmRuntime = lateLlmRuntime();
  let ocrPoolSize = 1;
  return {
    steps: defaultSteps({ llm: llmRuntime.runtime, ocrPoolSize: () => ocrPoolSize }),
    bindRuntime: (host) => {
      llmRuntime.bind(host);
      ocrPoolSize = host.config.ocr.poolSize;
    },
  };
}
