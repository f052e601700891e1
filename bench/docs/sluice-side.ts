/**
 * The Sluice side of `bench docs`: the documents' jobs through the whole pipeline — intake queues,
 * the fair scheduler, a worker (steps reading and writing S3 through the tenant blob store, a
 * MongoDB checkpoint per resting point), all in this process on the local stack. Timed from the
 * first intake message to the last job at rest.
 */
import { createFairScheduler } from "../../scheduler/create-fair-scheduler.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { isTerminal } from "../../shared/jobs/transitions.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { STATEMACHINES_DIR } from "../../shared/runtime/runtime.ts";
import { tenantCollection } from "../../shared/tenancy/scoped-collection.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { createUsageSettleHook } from "../../shared/usage/settle-hook.ts";
import { loadWorkflowCatalog } from "../../shared/workflows/catalog.ts";
import { createCapacityReporter } from "../../workers/capacity-reporter.ts";
import { createWorker } from "../../workers/create-worker.ts";
import { defaultSteps } from "../../workers/steps/index.ts";
import type { IsolatedFleet } from "../lib/fleet.ts";
import { progress } from "../lib/progress.ts";

export interface SluiceDoc {
  readonly tenant: TenantId;
  readonly key: string;
}

export interface SluiceSideResult {
  readonly elapsedMs: number;
  readonly jobs: number;
  readonly complete: number;
  readonly failed: number;
  readonly review: number;
  /** Pages of the documents whose jobs completed (from the job outputs). */
  readonly pages: number;
  readonly failures: readonly string[];
}

const WORKFLOW = "document-intelligence";

export async function runSluiceSide(
  fleet: IsolatedFleet,
  docs: readonly SluiceDoc[],
  opts: { timeoutMs: number; runId: string; ocrPoolSize: number },
): Promise<SluiceSideResult> {
  const rt = fleet.rt;
  const steps = defaultSteps({ ocrPoolSize: opts.ocrPoolSize });
  const catalog = await loadWorkflowCatalog(STATEMACHINES_DIR, {
    hasStep: (r) => steps.resolve(r) !== undefined,
  });
  if (!catalog.names().includes(WORKFLOW))
    throw new Error(`workflow ${WORKFLOW} is not valid with this build's steps`);
  const scheduler = createFairScheduler(rt, catalog);
  const worker = createWorker(rt, { catalog, steps, onSettled: createUsageSettleHook(rt) });
  const capacity = createCapacityReporter(rt, worker);
  await capacity.start();
  worker.start();
  await scheduler.start();
  try {
    const byTenant = new Map<TenantId, SluiceDoc[]>();
    for (const d of docs) byTenant.set(d.tenant, [...(byTenant.get(d.tenant) ?? []), d]);
    const t0 = performance.now();
    let i = 0;
    await Promise.all(
      [...byTenant].map(async ([tenant, list]) => {
        const { queueUrl } = await rt.queues.intake(tenant);
        await rt.sqs.sendBatch(
          queueUrl,
          list.map((d) => ({
            body: JSON.stringify({
              tenantId: tenant,
              workflow: WORKFLOW,
              idempotencyKey: `${opts.runId}-${i++}`,
              input: { document: { key: d.key } },
            }),
          })),
        );
      }),
    );
    const tenants = [...byTenant.keys()];
    let lastLog = 0;
    for (;;) {
      const jobs = await readJobs(fleet, tenants);
      const atRest = jobs.filter((j) => isTerminal(j.status) || j.status === "needs_review");
      if (performance.now() - lastLog > 5_000) {
        progress(`sluice: ${atRest.length}/${docs.length} jobs at rest`);
        lastLog = performance.now();
      }
      if (atRest.length >= docs.length || performance.now() - t0 > opts.timeoutMs) {
        const elapsedMs = performance.now() - t0;
        const complete = jobs.filter((j) => j.status === "complete");
        const pages = await Promise.all(
          complete.map(async (j) => {
            const out = (j.output ? await rt.payloads.load(j.tenantId, j.output) : undefined) as
              { document?: { pages?: number } } | undefined;
            return out?.document?.pages ?? 0;
          }),
        );
        return {
          elapsedMs,
          jobs: jobs.length,
          complete: complete.length,
          failed: jobs.filter((j) => j.status === "failed" || j.status === "cancelled").length,
          review: jobs.filter((j) => j.status === "needs_review").length,
          pages: pages.reduce((a, b) => a + b, 0),
          failures: jobs.filter((j) => j.status === "failed").map((j) => `${j.error}: ${j.cause}`),
        };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await Promise.allSettled([scheduler.stop(), worker.stop(5_000).then(() => capacity.stop())]);
  }
}

async function readJobs(fleet: IsolatedFleet, tenants: readonly TenantId[]): Promise<JobDoc[]> {
  const per = await Promise.all(
    tenants.map((t) =>
      tenantCollection<JobDoc>(fleet.rt.router, t, COLLECTIONS.jobs)
        .find({}, { projection: { execution: 0, history: 0 } })
        .toArray(),
    ),
  );
  return per.flat() as JobDoc[];
}
