/**
 * The benchmark's workflow: five states, Pass → Task → Pass → Task → Succeed, whose two Task states
 * run a no-op step, so what is measured is the worker's own cost (queue, claim, checkpoints).
 */
import { WorkflowCatalog, compileWorkflow, type Workflow } from "../../shared/workflows/catalog.ts";
import { StepRegistry } from "../../workers/steps/registry.ts";

export const WORKFLOW_NAME = "bench-five";
/** ASL states a job of this workflow enters: the unit of "transitions" in the report. */
export const STATES_PER_JOB = 5;

const NOOP = "arn:aws:states:us-east-1:000000000000:activity:noop";

export const DEFINITION = {
  Comment: "Worker benchmark: five states, two no-op Task steps.",
  StartAt: "Shape",
  States: {
    Shape: { Type: "Pass", Parameters: { "n.$": "$.n", stage: "shaped" }, Next: "StepA" },
    StepA: { Type: "Task", Resource: NOOP, ResultPath: "$.a", Next: "Merge" },
    Merge: { Type: "Pass", Parameters: { "n.$": "$.n", "a.$": "$.a" }, Next: "StepB" },
    StepB: { Type: "Task", Resource: NOOP, ResultPath: "$.b", Next: "Done" },
    Done: { Type: "Succeed" },
  },
};

export interface BenchWorkflow {
  workflow: Workflow;
  catalog: WorkflowCatalog;
  steps: StepRegistry;
}

export function benchWorkflow(): BenchWorkflow {
  const steps = new StepRegistry().register("noop", (_input, ctx) => Promise.resolve({ ok: ctx.attempt }));
  const workflow = compileWorkflow(WORKFLOW_NAME, JSON.stringify(DEFINITION), {
    hasStep: (r) => steps.resolve(r) !== undefined,
  });
  return { workflow, steps, catalog: new WorkflowCatalog(new Map([[WORKFLOW_NAME, workflow]])) };
}
