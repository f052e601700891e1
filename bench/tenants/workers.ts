/** The benchmark's in-process workers: 2 × 8 slots running the 500 ms sleep workflow, with heartbeats. */
import { createUsageSettleHook } from "../../shared/usage/settle-hook.ts";
import { createCapacityReporter, type CapacityReporter } from "../../workers/capacity-reporter.ts";
import { createWorker } from "../../workers/create-worker.ts";
import type { Worker } from "../../workers/worker.ts";
import type { IsolatedFleet } from "../lib/fleet.ts";
import type { sleepWorkflow } from "../fairness/workflow.ts";

export const STEP_MS = 500;
export const WORKERS = 2;
export const SLOTS = 8;

export interface BenchWorker {
  readonly worker: Worker;
  readonly reporter: CapacityReporter;
}

export async function startWorkers(
  fleet: IsolatedFleet,
  wf: Awaited<ReturnType<typeof sleepWorkflow>>,
): Promise<BenchWorker[]> {
  const out: BenchWorker[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const rt = await fleet.runtime();
    const owner = `bench-tenants-w${i}`;
    const worker = createWorker(rt, {
      catalog: wf.catalog,
      steps: wf.steps,
      owner,
      onSettled: createUsageSettleHook(rt),
    });
    const reporter = createCapacityReporter(rt, worker, { workerId: owner, slots: SLOTS, intervalMs: 1_000 });
    await reporter.start();
    worker.start();
    out.push({ worker, reporter });
  }
  return out;
}

export async function stopWorkers(workers: readonly BenchWorker[]): Promise<void> {
  await Promise.allSettled(workers.map((w) => w.worker.stop(300)));
  await Promise.allSettled(workers.map((w) => w.reporter.stop()));
}
