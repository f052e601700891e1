import { describe, expect, it } from "vitest";
import { STATEMACHINES_DIR } from "../../../shared/runtime/runtime.ts";
import { loadWorkflowCatalog } from "../../../shared/workflows/catalog.ts";
import { BUILT_IN_STEP_NAMES, manifestHasStep } from "../../../shared/workflows/step-manifest.ts";
import { defaultSteps } from "../../../workers/steps/index.ts";

describe("the summarize workflow", () => {
  it("loads in the worker's catalog with no LLM provider configured (the built-in registry as is)", async () => {
    const steps = defaultSteps();
    const catalog = await loadWorkflowCatalog(STATEMACHINES_DIR, {
      hasStep: (r) => steps.resolve(r) !== undefined,
    });
    expect(catalog.invalidWorkflows().filter((w) => w.file.includes("summarize"))).toEqual([]);
    expect(catalog.names()).toContain("summarize");
  });

  it("passes the scheduler's names-only check", async () => {
    const catalog = await loadWorkflowCatalog(STATEMACHINES_DIR, {
      hasStep: manifestHasStep(BUILT_IN_STEP_NAMES),
    });
    expect(catalog.names()).toContain("summarize");
  });
});
