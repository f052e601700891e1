import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { loadConfig, type SluiceConfig } from "../shared/config/config.ts";
import { ConfigError } from "../shared/config/config-error.ts";
import type { JobDoc } from "../shared/jobs/job-doc.ts";
import { createLogger } from "../shared/log/logger.ts";
import { COLLECTIONS } from "../shared/mongo/collections.ts";
import { createRuntime, type Runtime } from "../shared/runtime/runtime.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import { provisionWithConfig } from "../infra/provision.ts";
import { ensureStack } from "../infra/stack/index.ts";
import { DEMO_USAGE, DemoArgsError, parseDemoArgs, type DemoArgs } from "./args.ts";
import { startDemoFleet, type DemoFleet } from "./fleet.ts";
import { tenantOwners, waitForOwnership } from "./ownership.ts";
import { frontDoor, frontDoorHints, submitThroughApi, waitForApi } from "./front-door.ts";
import { pickFreePorts, pickSamples, scrape } from "./metrics.ts";
import { readJobDocs, readJobViews } from "./jobs-view.ts";
import { watchProgress } from "./live.ts";
import { buildReport, renderReport, type DemoJobRecord } from "./report.ts";
import { DEMO_TENANTS, splitDocuments } from "./tenants.ts";
import type { DemoJob, Workload } from "./workload.ts";
import { documentWorkload } from "./document-workload.ts";

const say = (line: string) => process.stderr.write(`[demo] ${line}\n`);

/** The demo tenant whose jobs go in through the jobs API (the others' as raw SQS messages). */
const API_TENANT = DEMO_TENANTS[0]!.id;

/**
 * `npm run demo`: the main job. On the local stack (started if needed, stopped again unless
 * `--keep-stack`), in a namespace of its own (queues, bucket and database named after the run):
 * provisions three tenants with different quotas, generates documents and uploads them, drops one job
 * message per document on the tenants' intake queues, runs two scheduler replicas (which share the
 * tenants through their leases) and two worker processes,
 * shows live per-tenant progress, then a report. Exit 0 when every job came to rest (complete, failed
 * with a reason, or waiting for review) and no process of the fleet died; 1 otherwise; 2 bad arguments.
 */
export async function runDemoCommand(argv: string[]): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(argv);
  } catch (err) {
    if (!(err instanceof DemoArgsError)) throw err;
    process.stderr.write(`demo: ${err.message}\n${DEMO_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${DEMO_USAGE}\n`);
    return 0;
  }
  const t0 = Date.now();
  say("starting the local stack (or using AWS_ENDPOINT_URL / MONGO_URL)...");
  const stack = await ensureStack({});
  const runId = `demo-${Date.now().toString(36)}`;
  const namespace = {
    SLUICE_QUEUE_PREFIX: runId,
    SLUICE_BUCKET: runId,
    SLUICE_DB: runId.replaceAll("-", "_"),
  };
  let rt: Runtime | undefined;
  let fleet: DemoFleet | undefined;
  let keepFleet = false;
  try {
    const env = {
      LOG_LEVEL: "info",
      ...process.env,
      ...stack.env,
      ...namespace,
      SLUICE_WORKER_CONCURRENCY: String(args.concurrency),
      LOG_PRETTY: "never",
    };
    let config: SluiceConfig;
    try {
      config = loadConfig({ ...env, LOG_LEVEL: "warn" });
    } catch (err) {
      if (err instanceof ConfigError) {
        for (const p of err.problems) process.stderr.write(`${p}\n`);
        return 2;
      }
      throw err;
    }
    const tenants = DEMO_TENANTS.map((t) => t.id);
    say(
      `provisioning tenants ${tenants.join(", ")} in namespace ${runId} (queues, bucket, indexes, quotas)...`,
    );
    await provisionWithConfig(config, tenants);
    const log = createLogger({ level: "warn", pretty: "never", service: "demo" });
    rt = await createRuntime(config, log);
    await setQuotas(rt);

    const logsDir = join(
      process.env["SLUICE_CACHE_DIR"] ?? join(homedir(), ".cache", "sluice"),
      "demo",
      runId,
    );
    mkdirSync(logsDir, { recursive: true });
    // Each scheduler's, each worker's and the API's metrics ports; the API on 8080 (or the next free).
    const fleetSize = args.schedulers + args.workers;
    const metricsPorts = args.metricsPort === 0 ? [] : await pickFreePorts(args.metricsPort, fleetSize + 1);
    const [apiPort = 8080, issuerPort = 8081] = await pickFreePorts(8080, 2);
    const door = frontDoor({
      issuer: issuerPort,
      api: apiPort,
      ...(metricsPorts.length > 0 ? { apiMetrics: metricsPorts[fleetSize] as number } : {}),
    });
    fleet = startDemoFleet({
      env,
      workers: args.workers,
      schedulers: args.schedulers,
      logsDir: join(logsDir, "logs"),
      metricsPorts: metricsPorts.slice(0, fleetSize),
      extra: door.processes,
    });
    say(
      `token issuer, API, ${args.schedulers} scheduler and ${args.workers} worker processes starting (pids ${fleet.pids.join(", ")})`,
    );
    const endpoints = metricsPorts.map((port, i) => ({
      name:
        i < args.schedulers
          ? `scheduler-${i + 1}`
          : i < fleetSize
            ? `worker-${i - args.schedulers + 1}`
            : "api",
      url: `http://127.0.0.1:${port}/metrics`,
    }));
    if (endpoints.length > 0)
      say(`Prometheus metrics: ${endpoints.map((e) => `${e.name} ${e.url}`).join(", ")}`);

    const workload: Workload = documentWorkload;
    const counts = splitDocuments(args.docs, DEMO_TENANTS);
    const jobs = await workload.prepare({
      rt,
      runId,
      seed: args.seed,
      counts,
      workDir: join(logsDir, "documents"),
      say,
    });
    const byKey = new Map(jobs.map((j) => [j.idempotencyKey, j]));
    // The replicas start one after another: the first takes every tenant and hands some over as the
    // next joins. The jobs go in once they have divided the tenants, so the report shows the steady
    // state (a join's hand-over is tested on its own, ADR 0024).
    const division = await waitForOwnership(rt, tenants, args.schedulers, 60_000);
    const byOwner = new Map<string, string[]>();
    for (const [t, o] of division.owners)
      byOwner.set(o ?? "nobody", [...(byOwner.get(o ?? "nobody") ?? []), t]);
    say(
      `${division.settled ? "the scheduler replicas divided the tenants" : "the scheduler replicas had not divided the tenants after 60 s; going on"}: ${[...byOwner].map(([o, ts]) => `${o} owns ${ts.join(", ")}`).join("; ")}`,
    );
    // One tenant comes in through the front door (POST /v1/jobs with a token), the others by SQS.
    const viaApi = jobs.filter((j) => j.tenant === API_TENANT);
    await waitForApi(door, 60_000, () => fleet!.exitedEarly().some((p) => /^(api|issuer) /.test(p)));
    const [bySqs, byApi] = await Promise.all([
      sendJobs(
        rt,
        jobs.filter((j) => j.tenant !== API_TENANT),
      ),
      submitThroughApi(door, API_TENANT, viaApi),
    ]);
    const sentAt = new Map([...bySqs, ...byApi]);
    const sent = new Map<string, number>();
    for (const j of jobs) sent.set(j.tenant, (sent.get(j.tenant) ?? 0) + 1);
    say(
      `sent ${jobs.length} jobs (${[...sent].map(([t, n]) => `${t} ${n}`).join(", ")}): ${API_TENANT}'s through the API (POST ${door.apiUrl}/v1/jobs), the others as SQS messages; watching...`,
    );

    const startedAt = Math.min(...sentAt.values());
    const live = await watchProgress({
      tenants,
      sent,
      read: () => readJobViews(rt!, tenants, runId),
      startedAt,
      timeoutMs: args.timeoutSeconds * 1000,
      out: process.stderr,
      notes: () => fleet!.exitedEarly().map((p) => `${p} exited`),
    });
    const endedAt = Date.now();

    const owners = await tenantOwners(rt, tenants);
    const docs = await readJobDocs(rt, tenants, runId);
    const records = await Promise.all(docs.map((d) => toRecord(rt!, d, byKey.get(d.idempotencyKey), sentAt)));
    keepFleet = args.keepStack;
    const report = buildReport({
      workflow: workload.workflow,
      tenants: DEMO_TENANTS,
      jobs: records,
      sent,
      startedAt,
      now: endedAt,
      workers: args.workers,
      schedulers: { replicas: args.schedulers, owners },
      where: {
        bucket: config.s3.bucket,
        database: config.mongo.db,
        queuePrefix: config.queues.prefix,
        logsDir: join(logsDir, "logs"),
        env: Object.entries(namespace)
          .map(([k, v]) => `${k}=${v}`)
          .join(" "),
        stackKept: args.keepStack || !stack.startedByUs,
      },
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ report, jobs: records }, null, 2)}\n`);
    } else {
      process.stdout.write(`\n${renderReport(report).join("\n")}\n`);
    }
    if (!args.json && endpoints.length > 0) await printMetricsExcerpt(endpoints);
    const died = fleet.exitedEarly();
    if (died.length > 0) say(`fleet processes that died during the run: ${died.join(", ")}`);
    if (args.keepStack) {
      for (const line of frontDoorHints(door)) say(line);
      say(
        `the issuer, the API, the schedulers and the workers keep running (stop them with: kill ${fleet.pids.join(" ")})`,
      );
    }
    say(`demo took ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
    return live.settled && died.length === 0 ? 0 : 1;
  } finally {
    if (fleet && !keepFleet) await fleet.stop();
    await rt?.close();
    if (stack.startedByUs && !args.keepStack) {
      say("stopping the local stack this run started (--keep-stack keeps it)");
      await stack.stop();
    }
  }
}

/** Gives the demo tenants their quotas and review thresholds (version bumped, read live by the schedulers). */
async function setQuotas(rt: Runtime): Promise<void> {
  const quotas = rt.fleetDb.collection<{ tenantId: string }>(COLLECTIONS.tenants);
  for (const t of DEMO_TENANTS) {
    await quotas.updateOne(
      { tenantId: t.id },
      {
        $set: { ...t.quota, status: "active", steps: { review: { minConfidence: t.reviewMinConfidence } } },
        $inc: { version: 1 },
        $currentDate: { updatedAt: true },
      },
    );
  }
}

/** Puts every job message on its tenant's intake queue; returns when each was sent. */
async function sendJobs(rt: Runtime, jobs: readonly DemoJob[]): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>();
  const byTenant = new Map<TenantId, DemoJob[]>();
  for (const j of jobs) byTenant.set(j.tenant, [...(byTenant.get(j.tenant) ?? []), j]);
  await Promise.all(
    [...byTenant].map(async ([tenant, list]) => {
      const { queueUrl } = await rt.queues.intake(tenant);
      const at = Date.now();
      await rt.sqs.sendBatch(
        queueUrl,
        list.map((j) => ({
          body: JSON.stringify({
            tenantId: tenant,
            workflow: j.workflow,
            idempotencyKey: j.idempotencyKey,
            input: j.input,
          }),
        })),
      );
      for (const j of list) sentAt.set(j.idempotencyKey, at);
    }),
  );
  return sentAt;
}

async function toRecord(
  rt: Runtime,
  d: JobDoc,
  job: DemoJob | undefined,
  sentAt: ReadonlyMap<string, number>,
): Promise<DemoJobRecord> {
  let result: unknown;
  if (d.status === "complete" && d.output)
    result = await rt.payloads.load(d.tenantId, d.output).catch(() => undefined);
  if (d.status === "needs_review" && d.review) {
    result = await rt.payloads.load(d.tenantId, d.review.input).catch(() => undefined);
  }
  return {
    tenantId: d.tenantId,
    jobId: d._id,
    idempotencyKey: d.idempotencyKey,
    status: d.status,
    createdAt: d.createdAt,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt,
    updatedAt: d.updatedAt,
    sentAt: sentAt.get(d.idempotencyKey) ?? d.createdAt,
    document: job?.document ?? "?",
    error: d.error,
    cause: d.cause,
    result,
    ...(job?.truth ? { truth: job.truth } : {}),
  };
}

/** What the fleet's metrics endpoints say about the run: per-tenant releases on each scheduler, jobs per workflow on the workers. */
async function printMetricsExcerpt(endpoints: readonly { name: string; url: string }[]): Promise<void> {
  const lines: string[] = ["", "Metrics (scraped now; the full series are at the URLs above):"];
  for (const e of endpoints) {
    const r = await scrape(e.url);
    if (!r.ok) {
      lines.push(`  ${e.name}: ${r.note}`);
      continue;
    }
    const names = e.name.startsWith("scheduler")
      ? ["sluice_scheduler_released_total", "sluice_tenant_fair_share"]
      : e.name === "api"
        ? ["sluice_api_requests_total"]
        : ["sluice_job_duration_seconds_count"];
    for (const sample of pickSamples(r.text, names)) lines.push(`  ${e.name}  ${sample}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
