import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Runtime } from "../shared/runtime/runtime.ts";
import type { WorkflowCatalog } from "../shared/workflows/catalog.ts";
import type { StepRegistry } from "./steps/registry.ts";
import { Worker } from "./worker.ts";

export interface WorkerOptions {
  catalog: WorkflowCatalog;
  steps: StepRegistry;
  /** Defaults to `<host>:<pid>:<random>` so restarts never reuse a lease owner id. */
  owner?: string;
}

/** Builds a worker component over a runtime. The clock, randomness and UUIDs are the real ones here. */
export function createWorker(rt: Runtime, opts: WorkerOptions): Worker {
  const w = rt.config.worker;
  const owner = opts.owner ?? w.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = w.leaseSeconds * 1000;
  return new Worker({
    sqs: rt.sqs,
    workQueueUrl: rt.queues.work,
    workDlqUrl: rt.queues.workDlq,
    jobsOf: (t) => rt.jobsOf(t),
    concurrency: w.concurrency,
    pollWaitSeconds: w.pollWaitSeconds,
    visibilityTimeoutSeconds: w.visibilityTimeoutSeconds,
    log: rt.log.child({ component: "worker", owner }),
    runner: {
      owner,
      leaseMs,
      catalog: opts.catalog,
      claimCheck: rt.claimCheck,
      engine: { now: Date.now, random: Math.random, uuid: randomUUID },
      inlineWaitMs: 1000,
      tasks: { steps: opts.steps, keepAliveEveryMs: Math.max(1000, leaseMs / 3) },
    },
  });
}
