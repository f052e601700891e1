import { isMoving } from "../shared/moves/move-record.ts";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { tenantsCollection } from "../shared/fleet/tenants-collection.ts";
import type { Runtime } from "../shared/runtime/runtime.ts";
import type { WorkflowCatalog } from "../shared/workflows/catalog.ts";
import { createWorkflowVersions } from "../shared/workflows/versions.ts";
import type { StepRegistry } from "./steps/registry.ts";
import { createStepServices } from "./sdk/services.ts";
import { isReviewTask } from "./steps/human-review.ts";
import { Worker, type WorkerDeps } from "./worker.ts";

export interface WorkerOptions {
  /** The workflow files' current versions; older versions jobs started on come from `workflow_versions`. */
  catalog: WorkflowCatalog;
  steps: StepRegistry;
  /** Defaults to `<host>:<pid>:<random>` so restarts never reuse a lease owner id. */
  owner?: string;
  /** The clock (epoch ms); default `Date.now`. */
  now?: () => number;
  /** See `WorkerDeps.onSettled` (e.g. `createUsageSettleHook(rt)` when a fair scheduler feeds this fleet). */
  onSettled?: WorkerDeps["onSettled"];
  /** See `WorkerDeps.intakeOpen` and `WorkerDeps.dependencyFailed` (a `MongoReachability`). */
  intakeOpen?: WorkerDeps["intakeOpen"];
  dependencyFailed?: WorkerDeps["dependencyFailed"];
}

/** Builds a worker component over a runtime. Randomness and UUIDs are the real ones here; the clock too unless `opts.now` is given. */
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
    ...(w.prefetch !== undefined ? { prefetch: w.prefetch } : {}),
    maxReceiveCount: rt.config.queues.maxReceiveCount,
    pollWaitSeconds: w.pollWaitSeconds,
    visibilityTimeoutSeconds: w.visibilityTimeoutSeconds,
    log: rt.log.child({ component: "worker", owner }),
    ...(opts.onSettled !== undefined ? { onSettled: opts.onSettled } : {}),
    ...(opts.intakeOpen !== undefined ? { intakeOpen: opts.intakeOpen } : {}),
    ...(opts.dependencyFailed !== undefined ? { dependencyFailed: opts.dependencyFailed } : {}),
    tenantMoving: (t) => isMoving(rt.fleetDb, t),
    runner: {
      owner,
      leaseMs,
      workflows: createWorkflowVersions(rt, opts.catalog, opts.now),
      maxAttempts: w.maxAttempts,
      payloads: rt.payloads,
      taskConcurrency: w.jobTaskConcurrency,
      isReviewTask,
      // State entries and exits only: the job timeline (history) and the traces are made of them.
      engine: { now: opts.now ?? Date.now, random: Math.random, uuid: randomUUID, history: "states" },
      inlineWaitMs: 1000,
      keepAliveEveryMs: Math.max(100, Math.min(leaseMs, w.visibilityTimeoutSeconds * 1000) / 3),
      metrics: rt.metrics,
      tracing: rt.tracing,
      tasks: {
        steps: opts.steps,
        metrics: rt.metrics,
        services: createStepServices({
          blobs: rt.blobs,
          // One tenant document per tenant (unique index on tenantId): the filter names the tenant.
          findTenant: (tenant) =>
            tenantsCollection(rt.fleetDb).findOne(
              { tenantId: tenant },
              { projection: { _id: 0, steps: 1, outbound: 1 } },
            ),
          outbound: rt.config.outbound,
          log: rt.log.child({ component: "step-services" }),
          ...(opts.now !== undefined ? { now: opts.now } : {}),
        }),
      },
    },
  });
}
