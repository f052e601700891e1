/**
 * The fairness benchmark's workflow (`bench-sleep.asl.json` beside this file): one Task state whose
 * step sleeps a set time, so every job holds a worker slot for `stepMs` plus the worker's overhead.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { WorkflowCatalog, compileWorkflow, type Workflow } from "../../shared/workflows/catalog.ts";
import { StepRegistry } from "../../workers/steps/registry.ts";

export const WORKFLOW_NAME = "bench-sleep";

const FILE = join(import.meta.dirname, `${WORKFLOW_NAME}.asl.json`);

export interface SleepWorkflow {
  workflow: Workflow;
  catalog: WorkflowCatalog;
  steps: StepRegistry;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export async function sleepWorkflow(stepMs: number): Promise<SleepWorkflow> {
  const steps = new StepRegistry().register("bench-sleep", async (_input, ctx) => {
    await sleep(stepMs, ctx.signal);
    return { sleptMs: stepMs };
  });
  const workflow = compileWorkflow(WORKFLOW_NAME, await readFile(FILE, "utf8"), {
    hasStep: (r) => steps.resolve(r) !== undefined,
  });
  return { workflow, steps, catalog: new WorkflowCatalog(new Map([[WORKFLOW_NAME, workflow]])) };
}
