/**
 * A test fleet fed by fair schedulers: the `sleep` fixture workflow (a Task that sleeps `input.ms`),
 * workers with the usage settle hook and capacity heartbeats, scheduler instances on runtimes of
 * their own (separate clients, as separate processes would have), quota edits the way an operator
 * makes them (a direct MongoDB update bumping `version` and `updatedAt`), and a sampler of running jobs.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { Runtime } from "../../../shared/runtime/runtime.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { createFairScheduler } from "../../../scheduler/create-fair-scheduler.ts";
import { createUsageSettleHook } from "../../../shared/usage/settle-hook.ts";
import type { CreateFairSchedulerOptions } from "../../../scheduler/create-fair-scheduler.ts";
import type { FairScheduler } from "../../../scheduler/loop/fair-scheduler.ts";
import { createCapacityReporter } from "../../../workers/capacity-reporter.ts";
import { createWorker } from "../../../workers/create-worker.ts";
import { StepRegistry } from "../../../workers/steps/registry.ts";
import type { Worker } from "../../../workers/worker.ts";
import type { WorkflowCatalog } from "../../../shared/workflows/catalog.ts";
import { sleep } from "./env.ts";
import { createTestFleet, type TestFleet } from "./fleet.ts";

export const FIXTURE_WORKFLOWS = resolve(import.meta.dirname, "../fixtures/workflows");

/** Sleep steps running now and the most that ran at once, per tenant (across the fleet's workers). */
export class StepGauge {
  readonly active = new Map<string, number>();
  readonly peak = new Map<string, number>();
  enter(tenant: string): void {
    const n = (this.active.get(tenant) ?? 0) + 1;
    this.active.set(tenant, n);
    this.peak.set(tenant, Math.max(n, this.peak.get(tenant) ?? 0));
  }
  leave(tenant: string): void {
    this.active.set(tenant, (this.active.get(tenant) ?? 1) - 1);
  }
}

export function sleepSteps(gauge?: StepGauge): StepRegistry {
  return new StepRegistry().register("sleep", async (input, ctx) => {
    const ms = Number((input as { ms?: unknown } | null)?.ms ?? 0);
    gauge?.enter(ctx.tenantId);
    try {
      await new Promise<void>((done, fail) => {
        const t = setTimeout(done, ms);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(t);
          fail(new Error("aborted"));
        });
      });
    } finally {
      gauge?.leave(ctx.tenantId);
    }
    return { slept: ms };
  });
}

export interface FairFleet {
  readonly fleet: TestFleet;
  readonly catalog: WorkflowCatalog;
  /** Sleep steps in progress per tenant, and their peak. */
  readonly steps: StepGauge;
  startWorker(): Promise<Worker>;
  startScheduler(opts?: CreateFairSchedulerOptions): Promise<FairScheduler>;
  setQuota(tenant: string, set: Record<string, unknown>): Promise<void>;
  /** Sends `n` sleep jobs to the tenant's intake queue; returns their idempotency keys. */
  sendJobs(tenant: string, n: number, ms: number): Promise<string[]>;
  /** Sends one job of `workflow` per input to the tenant's intake queue; returns their idempotency keys. */
  sendInputs(tenant: string, workflow: string, inputs: readonly unknown[]): Promise<string[]>;
  countJobs(tenant: string, filter?: Record<string, unknown>): Promise<number>;
  cleanup(): Promise<void>;
}

export async function createFairFleet(
  label: string,
  tenants: string[],
  workerConcurrency: number,
  opts: { workflowsDir?: string | readonly string[]; steps?: (s: StepRegistry) => StepRegistry } = {},
): Promise<FairFleet> {
  const fleet = await createTestFleet(label, {
    tenants,
    env: { SLUICE_WORKER_CONCURRENCY: String(workerConcurrency), SLUICE_POLL_WAIT_SECONDS: "1" },
  });
  const gauge = new StepGauge();
  const steps = (opts.steps ?? ((s) => s))(sleepSteps(gauge));
  const catalog = await fleet.loadCatalog(steps, opts.workflowsDir ?? FIXTURE_WORKFLOWS);
  const stops: (() => Promise<void>)[] = [];
  const db = fleet.rt.fleetDb;
  const sendInputs = async (tenant: string, workflow: string, inputs: readonly unknown[]) => {
    const { queueUrl } = await fleet.rt.queues.intake(tenantId(tenant));
    const keys = inputs.map(() => `k-${randomUUID()}`);
    for (let i = 0; i < inputs.length; i += 10) {
      await fleet.rt.sqs.sendBatch(
        queueUrl,
        inputs.slice(i, i + 10).map((input, j) => ({
          body: JSON.stringify({ tenantId: tenant, workflow, idempotencyKey: keys[i + j], input }),
        })),
      );
    }
    return keys;
  };

  return {
    fleet,
    catalog,
    steps: gauge,
    async startWorker() {
      const rt: Runtime = await fleet.runtime();
      const owner = `w-${randomUUID().slice(0, 8)}`;
      const worker = createWorker(rt, { catalog, steps, owner, onSettled: createUsageSettleHook(rt) });
      const reporter = createCapacityReporter(rt, worker, {
        workerId: owner,
        slots: workerConcurrency,
        intervalMs: 1_000,
      });
      await reporter.start();
      worker.start();
      stops.push(async () => {
        await worker.stop(1_000);
        await reporter.stop();
      });
      return worker;
    },
    async startScheduler(opts = {}) {
      const rt = await fleet.runtime();
      const scheduler = createFairScheduler(rt, catalog, {
        quotaPollIntervalMs: 250,
        ...opts,
        loop: { intervalMs: 50, maintenanceIntervalMs: 1_000, ...opts.loop },
      });
      await scheduler.start();
      stops.unshift(() => scheduler.stop());
      return scheduler;
    },
    async setQuota(tenant, set) {
      await db
        .collection("tenants")
        .updateOne({ tenantId: tenant }, { $set: { ...set, updatedAt: new Date() }, $inc: { version: 1 } });
    },
    sendJobs(tenant, n, ms) {
      return sendInputs(
        tenant,
        "sleep",
        Array.from({ length: n }, () => ({ ms })),
      );
    },
    sendInputs: (tenant, workflow, inputs) => sendInputs(tenant, workflow, inputs),
    countJobs: (tenant, filter = {}) => db.collection("jobs").countDocuments({ tenantId: tenant, ...filter }),
    async cleanup() {
      for (const stop of stops) await stop().catch(() => undefined);
      await fleet.cleanup();
    },
  };
}

/** Polls `probe` until it returns true; returns the elapsed ms, or throws after `timeoutMs`. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await probe()) return Date.now() - start;
    await sleep(25);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
