import { randomUUID } from "node:crypto";
import { loadConfig } from "../shared/config/config.ts";
import { ConfigError } from "../shared/config/config-error.ts";
import type { JobDoc } from "../shared/jobs/job-doc.ts";
import { createLogger } from "../shared/log/logger.ts";
import { createRuntime, STATEMACHINES_DIR, type Runtime } from "../shared/runtime/runtime.ts";
import { tenantId, type TenantId } from "../shared/tenancy/tenant-id.ts";
import { loadWorkflowCatalog } from "../shared/workflows/catalog.ts";
import { logInvalidWorkflows } from "../shared/workflows/versions.ts";
import { createFairScheduler } from "../scheduler/create-fair-scheduler.ts";
import { createUsageSettleHook } from "../shared/usage/settle-hook.ts";
import { provisionWithConfig } from "../infra/provision.ts";
import { ensureStack } from "../infra/stack/index.ts";
import { createCapacityReporter } from "../workers/capacity-reporter.ts";
import { createWorker } from "../workers/create-worker.ts";
import { defaultSteps } from "../workers/steps/index.ts";
import { isTerminal } from "../shared/jobs/transitions.ts";

const TIMEOUT_MS = 60_000;
const say = (line: string) => process.stderr.write(`[demo] ${line}\n`);

/**
 * `npm run demo`: the main job on the local stack (started if needed, stopped again if this run
 * started it). Provisions tenant `acme`, starts a scheduler and a worker in this process, drops one
 * job message on acme's intake queue, waits for the job to reach a final status and prints its
 * document. Exit 0 only if the job completed.
 */
export async function runDemoCommand(argv: string[]): Promise<number> {
  const keepStack = argv.includes("--keep-stack");
  say("starting the local stack (or using AWS_ENDPOINT_URL / MONGO_URL)...");
  const stack = await ensureStack({});
  let rt: Runtime | undefined;
  let stopComponents = async () => {};
  try {
    let config;
    try {
      config = loadConfig({ LOG_LEVEL: "warn", ...process.env, ...stack.env });
    } catch (err) {
      if (err instanceof ConfigError) {
        for (const p of err.problems) process.stderr.write(`${p}\n`);
        return 2;
      }
      throw err;
    }
    const acme: TenantId = tenantId("acme");
    say("provisioning tenant acme (queues, dead-letter queues, bucket, indexes, quota)...");
    await provisionWithConfig(config, [acme]);

    const log = createLogger({ level: config.log.level, pretty: config.log.pretty, service: "demo" });
    rt = await createRuntime(config, log);
    const steps = defaultSteps();
    const catalog = await loadWorkflowCatalog(STATEMACHINES_DIR, {
      hasStep: (r) => steps.resolve(r) !== undefined,
    });
    logInvalidWorkflows(catalog, log);
    const scheduler = createFairScheduler(rt, catalog);
    const worker = createWorker(rt, { catalog, steps, onSettled: createUsageSettleHook(rt) });
    const capacity = createCapacityReporter(rt, worker);
    await capacity.start();
    worker.start();
    await scheduler.start();
    stopComponents = async () => {
      await Promise.allSettled([scheduler.stop(), worker.stop(5_000).then(() => capacity.stop())]);
    };
    say(`scheduler and worker running; workflows: ${catalog.names().join(", ")}`);

    const idempotencyKey = `demo-${randomUUID()}`;
    const { queueUrl } = await rt.queues.intake(acme);
    await rt.sqs.send(queueUrl, {
      body: JSON.stringify({
        tenantId: acme,
        workflow: "hello",
        idempotencyKey,
        input: { name: "Ada Lovelace" },
      }),
    });
    say(`sent a "hello" job message to acme's intake queue (idempotency key ${idempotencyKey})`);

    const job = await waitForFinalJob(rt, acme, idempotencyKey);
    process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
    if (!job) {
      say(`no final job document within ${TIMEOUT_MS / 1000} s`);
      return 1;
    }
    say(`job ${job._id} ended ${job.status}`);
    return job.status === "complete" ? 0 : 1;
  } finally {
    await stopComponents();
    await rt?.close();
    if (stack.startedByUs && !keepStack) {
      say("stopping the local stack this run started (--keep-stack keeps it)");
      await stack.stop();
    }
  }
}

async function waitForFinalJob(
  rt: Runtime,
  tenant: TenantId,
  idempotencyKey: string,
): Promise<JobDoc | null> {
  const jobs = rt.jobsOf(tenant);
  const deadline = Date.now() + TIMEOUT_MS;
  let last = "";
  while (Date.now() < deadline) {
    const job = await jobs.findByIdempotencyKey(idempotencyKey);
    const seen = job ? `${job.status} (version ${job.version})` : "not released yet";
    if (seen !== last) say(`job: ${seen}`);
    last = seen;
    if (job && isTerminal(job.status)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (await jobs.findByIdempotencyKey(idempotencyKey)) ?? null;
}
