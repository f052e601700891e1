/**
 * One chaos run, start to verdict (see index.ts for what it does and verdict.ts for what the figures
 * mean). Everything it starts — the stack, the scheduler and the workers — is stopped in `finally`,
 * on SIGINT/SIGTERM too; the children are SIGKILLed by process group.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { provisionWithConfig } from "../../infra/provision.ts";
import type { StackEnv } from "../../infra/stack/config.ts";
import { groupMembers } from "../../infra/stack/pidfile.ts";
import { dlqName, intakeQueueName, workQueueName } from "../../shared/aws/queue-names.ts";
import { loadConfig } from "../../shared/config/config.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import type { MachineInfo } from "../lib/machine-info.ts";
import { progress } from "../lib/progress.ts";
import { runFaults, type FaultLogEntry } from "./faults.ts";
import { Producer } from "./producer.ts";
import { peekQueue, queueDepth, queueUrl, sqsClient, type PeekedMessage } from "./queues.ts";
import { parseRecordLines, type StepRecord } from "./records.ts";
import { printReport, saveResult } from "./report.ts";
import { Sampler } from "./sampler.ts";
import { faultSchedule } from "./schedule.ts";
import { startChaosStack, type ChaosStack } from "./stack.ts";
import { CHAOS_WORKFLOW } from "./steps.ts";
import { Supervisor } from "./procs.ts";
import { countVerdict, exitCode, finalLine, type DlqEntry, type JobRow } from "./verdict.ts";
import { planWorkload, type ChaosTenant } from "./workload.ts";

export interface ChaosOptions {
  readonly jobs: number;
  readonly seed: number;
  readonly durationMs: number;
  readonly killEveryMs: number;
  readonly save: boolean;
}

export const TENANTS: readonly ChaosTenant[] = [
  { id: "alpha", maxConcurrency: 6, weight: 1 },
  { id: "beta", maxConcurrency: 12, weight: 2 },
  { id: "gamma", maxConcurrency: 18, weight: 3 },
];
const WORKERS = 3;
const DB = "chaos";
const PREFIX = "chaos";
/** The fleet's settings (short leases and visibility so a killed worker's jobs come back soon). */
export const FLEET_SETTINGS: Readonly<Record<string, string>> = {
  SLUICE_DB: DB,
  SLUICE_QUEUE_PREFIX: PREFIX,
  SLUICE_BUCKET: "chaos-data",
  SLUICE_WORKER_CONCURRENCY: "12",
  SLUICE_POLL_WAIT_SECONDS: "5",
  SLUICE_VISIBILITY_TIMEOUT_SECONDS: "15",
  SLUICE_LEASE_SECONDS: "15",
  SLUICE_SWEEPER_INTERVAL_MS: "1000",
  SLUICE_SWEEPER_REDRIVE_AFTER_MS: "20000",
  SLUICE_SHUTDOWN_GRACE_MS: "5000",
  LOG_LEVEL: "info",
  LOG_PRETTY: "never",
};
const WARMUP_MS = 8_000;
const DRAIN_TIMEOUT_MS = 120_000;
const MAX_OUTSTANDING = 30;
/** The fault phase goes on past --duration-s until everything is sent, at most this much longer. */
const MAX_OVERTIME_MS = 180_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const CLIENT_VARS = [
  "AWS_ENDPOINT_URL",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "MONGO_URL",
];

function fleetEnv(stack: StackEnv): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !CLIENT_VARS.includes(k) && !k.startsWith("SLUICE_") && !k.startsWith("LOG_"))
      base[k] = v;
  }
  return { ...base, ...stack, ...FLEET_SETTINGS };
}

interface Queues {
  intake: Map<string, string>;
  intakeDlq: Map<string, string>;
  work: string;
  workDlq: string;
}

async function resolveQueues(sqs: ReturnType<typeof sqsClient>): Promise<Queues> {
  const intake = new Map<string, string>();
  const intakeDlq = new Map<string, string>();
  for (const t of TENANTS) {
    const name = intakeQueueName(PREFIX, tenantId(t.id));
    intake.set(t.id, await queueUrl(sqs, name));
    intakeDlq.set(t.id, await queueUrl(sqs, dlqName(name)));
  }
  const work = workQueueName(PREFIX);
  return { intake, intakeDlq, work: await queueUrl(sqs, work), workDlq: await queueUrl(sqs, dlqName(work)) };
}

async function writeQuotas(mongoUrl: string): Promise<void> {
  const client = new MongoClient(mongoUrl);
  try {
    const tenants = client.db(DB).collection(COLLECTIONS.tenants);
    for (const t of TENANTS) {
      await tenants.updateOne(
        { tenantId: t.id },
        {
          $set: {
            status: "active",
            tier: "shared",
            weight: t.weight,
            maxConcurrency: t.maxConcurrency,
            minConcurrency: 0,
            rate: null,
            updatedAt: new Date(),
          },
          $inc: { version: 1 },
        },
      );
    }
  } finally {
    await client.close();
  }
}

function dlqEntries(queue: string, msgs: readonly PeekedMessage[]): DlqEntry[] {
  return msgs.map((m) => ({ queue, messageId: m.messageId, body: m.body, reason: m.attributes.reason }));
}

function readRecords(dir: string): { records: StepRecord[]; bad: number } {
  const records: StepRecord[] = [];
  let bad = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".jsonl"))) {
    const r = parseRecordLines(readFileSync(join(dir, f), "utf8"));
    records.push(...r.records);
    bad += r.bad;
  }
  return { records, bad };
}

async function readDocs(mongoUrl: string): Promise<JobRow[]> {
  const client = new MongoClient(mongoUrl);
  try {
    const docs = await client
      .db(DB)
      .collection(COLLECTIONS.jobs)
      .find({}, { projection: { tenantId: 1, idempotencyKey: 1, status: 1, output: 1, error: 1 } })
      .toArray();
    return docs.map((d) => ({
      id: String(d._id),
      tenant: String(d.tenantId),
      key: String(d.idempotencyKey),
      status: String(d.status),
      output: (d.output as { inline?: unknown } | null)?.inline ?? d.output ?? null,
      error: (d.error as string | null | undefined) ?? null,
    }));
  } finally {
    await client.close();
  }
}

export async function runChaos(opts: ChaosOptions, stateDir: string, info: MachineInfo): Promise<number> {
  const started = Date.now();
  const log = (m: string) =>
    progress(`chaos ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s ${m}`);
  let stack: ChaosStack | undefined;
  let supervisor: Supervisor | undefined;
  let sampler: Sampler | undefined;
  let producer: Producer | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let aws: ReturnType<typeof sqsClient> | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      clearInterval(ticker);
      producer?.stop();
      await supervisor?.stopAll();
      await sampler?.stop();
      aws?.destroy();
      await stack?.stop();
    })());
  const onSignal = () => {
    log("interrupted: stopping everything this run started");
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    log(`starting its own stack (h2 backend) under ${stateDir}`);
    stack = await startChaosStack(stateDir);
    const env = fleetEnv(stack.env);
    const config = loadConfig(env);
    const tenantIds = TENANTS.map((t) => tenantId(t.id));
    await provisionWithConfig(config, tenantIds);
    await writeQuotas(stack.env.MONGO_URL);
    aws = sqsClient(stack.env);
    const sqs = aws;
    const queues = await resolveQueues(sqs);
    const plan = planWorkload({
      seed: opts.seed,
      jobs: opts.jobs,
      tenants: TENANTS,
      workflow: CHAOS_WORKFLOW,
    });
    const schedule = faultSchedule({
      seed: opts.seed,
      durationMs: opts.durationMs,
      horizonMs: opts.durationMs + MAX_OVERTIME_MS,
      killEveryMs: opts.killEveryMs,
      workers: WORKERS,
    });
    const at = (k: string) => ((schedule.find((e) => e.kind === k)?.atMs ?? 0) / 1000).toFixed(0);
    log(
      `plan: ${plan.length} messages (${opts.jobs} jobs + duplicates + garbage); faults: MongoDB restart at ${at("restart-mongo")} s, ` +
        `SIGTERM at ${at("term-worker")} s, LocalStack restart at ${at("restart-localstack")} s, a SIGKILL every ~${opts.killEveryMs / 1000} s until all is sent`,
    );

    sampler = new Sampler(stack.env.MONGO_URL, DB, TENANTS);
    sampler.start();
    supervisor = new Supervisor({ env, stateDir, workers: WORKERS, schedulers: 1, respawnMs: 500, log });
    supervisor.startAll();
    const s = sampler;
    producer = new Producer(sqs, plan, {
      maxOutstanding: MAX_OUTSTANDING,
      created: () => s.totals.docs,
      urlOf: (t) => queues.intake.get(t)!,
    });
    const p = producer;
    const sup = supervisor;
    const producing = producer.run();
    ticker = setInterval(() => {
      const t = s.totals;
      log(
        `sent ${p.sent}/${plan.length}, docs ${t.docs}, complete ${t.complete}, failed ${t.failed}, open ${t.nonTerminal}, ` +
          `running ${TENANTS.map((x) => `${x.id} ${t.running[x.id] ?? 0}/${x.maxConcurrency}`).join(" ")}, ` +
          `workers ${sup.alive("worker")}/${WORKERS} scheduler ${sup.alive("scheduler")}`,
      );
    }, 5_000);

    await sleep(WARMUP_MS);
    const t0 = Date.now();
    const lostWithLocalStack: string[] = [];
    const snapshotDlq: DlqEntry[] = [];
    let workInFlightAtKill = 0;
    const st = stack;
    log(
      `fault phase: ${opts.durationMs / 1000} s or until all is sent, a kill every ~${opts.killEveryMs / 1000} s`,
    );
    const faultLog: FaultLogEntry[] = await runFaults(
      schedule,
      {
        supervisor,
        killService: (svc) => st.kill(svc),
        startService: (svc) => st.start(svc),
        beforeLocalStackKill: async () => {
          await p.pause();
          for (const t of TENANTS) {
            lostWithLocalStack.push(
              ...(await peekQueue(st.env.AWS_ENDPOINT_URL, queues.intake.get(t.id)!)).map((m) => m.body),
            );
            snapshotDlq.push(
              ...dlqEntries(
                `intake-dlq/${t.id}`,
                await peekQueue(st.env.AWS_ENDPOINT_URL, queues.intakeDlq.get(t.id)!),
              ),
            );
          }
          snapshotDlq.push(
            ...dlqEntries("work-dlq", await peekQueue(st.env.AWS_ENDPOINT_URL, queues.workDlq)),
          );
          workInFlightAtKill = (await peekQueue(st.env.AWS_ENDPOINT_URL, queues.work)).length;
          const valid = new Set(p.jobs.map((j) => j.key));
          p.forgiven += lostWithLocalStack.filter((b) => {
            const key = /"idempotencyKey":"([^"]+)"/.exec(b)?.[1];
            return key !== undefined && valid.has(key);
          }).length;
          log(
            `snapshot: ${lostWithLocalStack.length} intake messages, ${workInFlightAtKill} work messages and ${snapshotDlq.length} DLQ entries go with LocalStack`,
          );
        },
        afterLocalStackStart: async () => {
          await provisionWithConfig(config, tenantIds);
          p.resume();
        },
        log,
        enough: () => p.done,
        durationMs: opts.durationMs,
      },
      t0,
    );
    const lastFaultAt = t0 + Math.max(...faultLog.map((f) => f.endMs), 0);
    log("faults over; waiting for the drain");

    // Drain: everything sent, every queue empty, every job document terminal.
    const drainDeadline = Date.now() + DRAIN_TIMEOUT_MS;
    let drainedAt: number | undefined;
    while (Date.now() < drainDeadline) {
      await sleep(2_000);
      if (!p.done) continue;
      // Judge on a sample taken after this point (one may be in progress, started earlier).
      if (!(await s.freshTotals(Date.now(), 15_000)) || s.totals.nonTerminal > 0) continue;
      try {
        // Work messages left over for finished jobs are no-ops to the workers: not part of the drain.
        let depth = 0;
        for (const url of queues.intake.values()) depth += await queueDepth(sqs, url);
        if (depth === 0) {
          drainedAt = Date.now();
          break;
        }
      } catch {
        // LocalStack not answering: not drained
      }
    }
    await Promise.race([producing, sleep(1)]);
    const drainS = ((drainedAt ?? Date.now()) - lastFaultAt) / 1000;
    log(
      drainedAt
        ? `drained ${drainS.toFixed(1)} s after the last fault`
        : `NOT drained ${DRAIN_TIMEOUT_MS / 1000} s after the faults; counting anyway`,
    );

    // Count with the fleet stopped (nothing moves while we read).
    await supervisor.stopAll();
    const spawnedLeft = supervisor.allPids().flatMap((pid) => groupMembers(pid));
    const finalDlq: DlqEntry[] = [];
    const pendingIntake: string[] = [];
    for (const t of TENANTS) {
      pendingIntake.push(
        ...(await peekQueue(st.env.AWS_ENDPOINT_URL, queues.intake.get(t.id)!)).map((m) => m.body),
      );
      finalDlq.push(
        ...dlqEntries(
          `intake-dlq/${t.id}`,
          await peekQueue(st.env.AWS_ENDPOINT_URL, queues.intakeDlq.get(t.id)!),
        ),
      );
    }
    finalDlq.push(...dlqEntries("work-dlq", await peekQueue(st.env.AWS_ENDPOINT_URL, queues.workDlq)));
    const workLeft = (await peekQueue(st.env.AWS_ENDPOINT_URL, queues.work)).length;
    const docs = await readDocs(st.env.MONGO_URL);
    const { records, bad } = readRecords(join(stateDir, "steps"));
    const verdict = countVerdict({
      jobs: p.jobs,
      garbage: p.garbage,
      docs,
      records,
      dlq: [...snapshotDlq, ...finalDlq],
      lostWithLocalStack,
      pendingIntake,
      samples: s.samples,
      drainS,
    });
    const run = {
      options: opts,
      elapsedS: (Date.now() - started) / 1000,
      drained: drainedAt !== undefined,
      producer: {
        messages: plan.length,
        duplicates: p.duplicates,
        garbage: p.garbage.length,
        sendErrors: p.sendErrors,
      },
      samples: { taken: s.samples.length / (2 * TENANTS.length), failed: s.failedSamples },
      faults: faultLog,
      exits: supervisor.exits,
      spawned: supervisor.spawned,
      survivors: spawnedLeft,
      workInFlightAtLocalStackKill: workInFlightAtKill,
      workMessagesLeft: workLeft,
      badRecordLines: bad,
      stateDir,
    };
    printReport(verdict, run);
    if (opts.save) log(`results written to ${await saveResult(verdict, run, info, TENANTS, FLEET_SETTINGS)}`);
    console.log(finalLine(verdict.figures));
    return exitCode(verdict.figures);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
  }
}
