/**
 * A throwaway Sluice fleet for one integration test file: a unique queue prefix, bucket and database
 * (`t-<label>-<suffix>`), provisioned with `provisionWithConfig`, a runtime over it, workers (and
 * sweepers) started on demand, and a `cleanup()` that stops everything and deletes the queues, the
 * bucket and the database.
 *
 *   const fleet = await createTestFleet("review", { tenants: ["acme"] });
 *   afterAll(() => fleet.cleanup());
 *   const worker = await fleet.startWorker();
 *   const jobId = await fleet.submit("acme", "hello", { name: "Ada" });
 *   const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
 */
import { randomUUID } from "node:crypto";
import { provisionWithConfig } from "../../../infra/provision.ts";
import { dlqName, intakeQueueName, workQueueName } from "../../../shared/aws/queue-names.ts";
import type { SluiceConfig } from "../../../shared/config/config.ts";
import { newQueuedJob, type JobDoc } from "../../../shared/jobs/job-doc.ts";
import { newJobId } from "../../../shared/jobs/job-id.ts";
import { createLogger } from "../../../shared/log/logger.ts";
import { sendWorkMessage, type WorkMessage } from "../../../shared/messages/work-message.ts";
import { createRuntime, STATEMACHINES_DIR, type Runtime } from "../../../shared/runtime/runtime.ts";
import { tenantId, type TenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { JobRestedHook } from "../../../shared/fleet/job-rested.ts";
import {
  loadWorkflowCatalog,
  WorkflowCatalog,
  type InvalidWorkflow,
  type Workflow,
} from "../../../shared/workflows/catalog.ts";
import { createWorker } from "../../../workers/create-worker.ts";
import { defaultSteps } from "../../../workers/steps/index.ts";
import type { StepRegistry } from "../../../workers/steps/registry.ts";
import { createReviews } from "../../../workers/review.ts";
import { createSweeper, type Sweeper } from "../../../workers/sweeper.ts";
import type { Worker } from "../../../workers/worker.ts";
import { emptyAndDeleteBucket } from "./aws.ts";
import { sleep, testConfig, uniqueName } from "./env.ts";

export interface FleetOptions {
  /** Tenants to provision (intake queues, quotas). Default `["acme"]`. */
  tenants?: readonly string[];
  /** Extra environment settings, e.g. `{ SLUICE_LEASE_SECONDS: "2" }`. */
  env?: Record<string, string>;
  /** Steps the fleet's workers run; default `defaultSteps()`. */
  steps?: StepRegistry;
  /** Where workflows are loaded from (several directories merge); default `statemachines/`. */
  workflowsDir?: string | readonly string[];
}

export interface StartWorkerOptions {
  /** Lease owner id; default a fresh one per worker. */
  owner?: string;
  steps?: StepRegistry;
  catalog?: WorkflowCatalog;
  /** A runtime of its own (e.g. from `fleet.runtime()`); default the fleet's. */
  rt?: Runtime;
  /** The worker's clock, e.g. shifted into the future to pass a long Wait. */
  now?: () => number;
  /** The worker's "job rested" hook (e.g. a recorder; the fair fleet passes the usage settle hook). */
  onSettled?: JobRestedHook;
}

export interface TestFleet {
  /** The unique name used as queue prefix, bucket and database. */
  readonly name: string;
  readonly config: SluiceConfig;
  /** The settings that select this fleet's namespace (plus `opts.env`): hand them to a child process. */
  readonly env: Readonly<Record<string, string>>;
  readonly tenants: readonly TenantId[];
  /** The fleet's main runtime (closed by cleanup). */
  readonly rt: Runtime;
  readonly steps: StepRegistry;
  readonly catalog: WorkflowCatalog;
  /** Another runtime over the same namespace (own clients), closed by cleanup. */
  runtime(env?: Record<string, string>): Promise<Runtime>;
  /** Loads a catalog for `steps` (e.g. custom test steps) from `dir` (default the fleet's). */
  loadCatalog(steps: StepRegistry, dir?: string | readonly string[]): Promise<WorkflowCatalog>;
  /** Starts a polling worker; stopped by `stopWorker` or cleanup. */
  startWorker(opts?: StartWorkerOptions): Promise<Worker>;
  stopWorker(worker: Worker, graceMs?: number): Promise<void>;
  /** Stops every worker the fleet started. */
  stopWorkers(graceMs?: number): Promise<void>;
  /** A sweeper over the fleet's database (not started: call `tick()`, or `start()`). Stopped by cleanup. */
  sweeper(opts?: { rt?: Runtime; staleQueuedMs?: number }): Sweeper;
  /** Creates a queued job document directly (no scheduler) and, unless `send: false`, its work message. */
  submit(tenant: string, workflow: string, input: unknown, opts?: { send?: boolean }): Promise<string>;
  /** Sends a work message for an existing job. */
  sendWork(tenant: string, jobId: string): Promise<void>;
  getJob(tenant: string, jobId: string): Promise<JobDoc | null>;
  /** Polls the job until `until(job)` holds; throws with the last document on timeout. */
  waitForJob(
    tenant: string,
    jobId: string,
    until: (job: JobDoc) => boolean,
    timeoutMs?: number,
  ): Promise<JobDoc>;
  /** Stops workers and sweepers, closes runtimes, deletes queues, bucket and database. Idempotent. */
  cleanup(): Promise<void>;
}

export async function createTestFleet(label: string, opts: FleetOptions = {}): Promise<TestFleet> {
  const name = uniqueName(label);
  const baseEnv = {
    SLUICE_QUEUE_PREFIX: name,
    SLUICE_BUCKET: name,
    SLUICE_DB: name.replaceAll("-", "_"),
    SLUICE_POLL_WAIT_SECONDS: "1",
    ...opts.env,
  };
  const config = testConfig(baseEnv);
  const tenants = (opts.tenants ?? ["acme"]).map((t) => tenantId(t));
  await provisionWithConfig(config, tenants);
  const log = createLogger({ level: config.log.level, pretty: "never", service: "test" });
  const runtimes: Runtime[] = [];
  const workers = new Set<Worker>();
  const sweepers: Sweeper[] = [];
  const newRuntime = async (env: Record<string, string> = {}) => {
    const rt = await createRuntime(testConfig({ ...baseEnv, ...env }), log);
    runtimes.push(rt);
    return rt;
  };
  const rt = await newRuntime();
  const steps = opts.steps ?? defaultSteps();
  const dir = opts.workflowsDir ?? STATEMACHINES_DIR;
  const loadCatalog = async (s: StepRegistry, d: string | readonly string[] = dir) => {
    const workflows = new Map<string, Workflow>();
    const invalid: InvalidWorkflow[] = [];
    for (const one of typeof d === "string" ? [d] : d) {
      const c = await loadWorkflowCatalog(one, { hasStep: (r) => s.resolve(r) !== undefined });
      for (const n of c.names()) workflows.set(n, c.get(n) as Workflow);
      invalid.push(...c.invalidWorkflows());
    }
    return new WorkflowCatalog(workflows, invalid);
  };
  const catalog = await loadCatalog(steps);
  let cleaned: Promise<void> | undefined;

  const fleet: TestFleet = {
    name,
    config,
    env: baseEnv,
    tenants,
    rt,
    steps,
    catalog,
    runtime: newRuntime,
    loadCatalog,
    async startWorker(w = {}) {
      const worker = createWorker(w.rt ?? rt, {
        catalog: w.catalog ?? catalog,
        steps: w.steps ?? steps,
        owner: w.owner ?? `test-${randomUUID().slice(0, 8)}`,
        ...(w.now ? { now: w.now } : {}),
        ...(w.onSettled ? { onSettled: w.onSettled } : {}),
      });
      worker.start();
      workers.add(worker);
      return worker;
    },
    async stopWorker(worker, graceMs = 2_000) {
      workers.delete(worker);
      await worker.stop(graceMs);
    },
    async stopWorkers(graceMs = 2_000) {
      const all = [...workers];
      workers.clear();
      await Promise.all(all.map((w) => w.stop(graceMs)));
    },
    sweeper(s = {}) {
      const sweeper = createSweeper(s.rt ?? rt, {
        staleQueuedMs: s.staleQueuedMs,
        reviews: createReviews(s.rt ?? rt, catalog),
      });
      sweepers.push(sweeper);
      return sweeper;
    },
    async submit(tenant, workflow, input, o = {}) {
      const t = tenantId(tenant);
      const wf = catalog.get(workflow);
      if (!wf) throw new Error(`no workflow "${workflow}" in the fleet's catalog`);
      const now = Date.now();
      const jobId = newJobId(now);
      const payload = await rt.payloads.store(t, jobId, "input", input);
      await rt.jobsOf(t).create(
        newQueuedJob(
          {
            jobId,
            tenantId: t,
            idempotencyKey: `test-${randomUUID()}`,
            workflow: { name: wf.name, version: wf.version },
            input: payload,
          },
          now,
        ),
      );
      if (o.send !== false) await fleet.sendWork(tenant, jobId);
      return jobId;
    },
    async sendWork(tenant, jobId) {
      const work: WorkMessage = { tenantId: tenantId(tenant), jobId };
      await sendWorkMessage(rt.sqs, rt.queues.work, work);
    },
    getJob: (tenant, jobId) => rt.jobsOf(tenantId(tenant)).get(jobId),
    async waitForJob(tenant, jobId, until, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let job: JobDoc | null = null;
      while (Date.now() < deadline) {
        job = await fleet.getJob(tenant, jobId);
        if (job && until(job)) return job;
        await sleep(100);
      }
      throw new Error(
        `job ${jobId} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(job)}`,
      );
    },
    cleanup() {
      cleaned ??= (async () => {
        await Promise.allSettled([...workers].map((w) => w.stop(1_000)));
        await Promise.allSettled(sweepers.map((s) => s.stop()));
        await steps.close().catch(() => undefined);
        const queueNames = [workQueueName(name), ...tenants.map((t) => intakeQueueName(name, t))];
        const urls = await Promise.all(
          queueNames.flatMap((q) => [q, dlqName(q)]).map((q) => rt.sqs.getQueueUrl(q).catch(() => undefined)),
        );
        await Promise.allSettled(urls.filter((u) => u !== undefined).map((u) => rt.sqs.deleteQueue(u)));
        await emptyAndDeleteBucket(rt.aws.s3, name).catch(() => undefined);
        await rt.fleetDb.dropDatabase().catch(() => undefined);
        await Promise.allSettled(runtimes.map((r) => r.close()));
      })();
      return cleaned;
    },
  };
  return fleet;
}
