/**
 * The two sides of the comparison, measured the same way: the clock starts when the producer sends
 * its first message and stops when the consumer deleted the last one. Both sides share the producer
 * (`sendAll`: `producers` parallel senders, each `sendBatch` in requests of 10) and the receive
 * settings (one long-polling loop, up to 10 messages per receive, same wait and visibility timeout).
 *
 * Both sides have the same SQS batching available, and use it: receives of up to 10 messages and
 * `DeleteMessageBatch` of up to 10 receipt handles.
 *
 * - bare SQS: for every batch received, one `deleteBatch` of the whole batch (fired without blocking
 *   the next receive, at most `concurrency` in flight): the cheapest correct consume loop, which
 *   does no work per message at all.
 * - worker: the real worker, one in-process `Worker` from `createWorker` with `concurrency` slots:
 *   its own receive loop (up to 10 per receive), claim, engine, step calls and checkpoints, and its
 *   batched deletes (settled messages are deleted in batches of up to 10, gathered for at most a few
 *   ms), over job documents created beforehand (creation is the scheduler's work, not timed). Only
 *   its job store and queue port are wrapped, to count and time their calls.
 */
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import { newQueuedJob, type JobDoc } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantCollection } from "../../shared/tenancy/scoped-collection.ts";
import { createWorker } from "../../workers/create-worker.ts";
import type { Tracing } from "../../shared/tracing/tracing.ts";
import type { BenchFleet } from "./fleet.ts";
import { InstrumentedJobStore, Recorder, countingCollection, timedSqs } from "./instrument.ts";
import type { BenchWorkflow } from "./workflow.ts";

export interface SideOptions {
  jobs: number;
  concurrency: number;
  producers: number;
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** The worker's tracing (`--tracing`); default none, as in production without an OTLP endpoint. */
  tracing?: Tracing;
}

export interface SideResult {
  side: "bare-sqs" | "worker";
  messages: number;
  ms: number;
  perSecond: number;
  /** This process's CPU time (user + system) over the round, per message: the producer's share too. */
  cpuMsPerJob: number;
  rec: Recorder;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** Sends every body, `producers` senders in parallel, each in batches of 10. */
export async function sendAll(sqs: SqsPort, queueUrl: string, bodies: readonly string[], producers: number) {
  const slice = Math.ceil(bodies.length / producers);
  const results = await Promise.all(
    Array.from({ length: producers }, (_, i) =>
      sqs.sendBatch(
        queueUrl,
        bodies.slice(i * slice, (i + 1) * slice).map((body) => ({ body })),
      ),
    ),
  );
  const failed = results.reduce((n, r) => n + r.failed.length, 0);
  if (failed > 0) throw new Error(`${failed} messages could not be sent`);
}

export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export async function runBareSide(fleet: BenchFleet, opts: SideOptions): Promise<SideResult> {
  const rec = new Recorder();
  const sqs = timedSqs(fleet.rt.sqs, rec);
  const queue = fleet.rt.queues.work;
  const { pollWaitSeconds, visibilityTimeoutSeconds } = fleet.config.worker;
  const bodies = Array.from({ length: opts.jobs }, (_, i) =>
    JSON.stringify({ tenantId: fleet.tenant, jobId: `bare${String(i).padStart(8, "0")}` }),
  );
  let deleted = 0;
  const inFlight = new Set<Promise<void>>();
  const consume = async () => {
    while (deleted < opts.jobs) {
      while (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
      const batch = await sqs.receive(queue, {
        maxMessages: 10,
        waitSeconds: pollWaitSeconds,
        visibilityTimeout: visibilityTimeoutSeconds,
      });
      if (batch.length === 0) continue;
      const p = sqs
        .deleteBatch(
          queue,
          batch.map((m) => m.receiptHandle),
        )
        .then((r) => {
          deleted += r.successful.length;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await withDeadline(
    Promise.all([sendAll(sqs, queue, bodies, opts.producers), consume()]),
    opts.timeoutMs,
    "bare SQS loop",
  );
  await Promise.all(inFlight);
  const ms = performance.now() - t0;
  const cpuMsPerJob = cpuMs(process.cpuUsage(cpu0)) / opts.jobs;
  return { side: "bare-sqs", messages: opts.jobs, ms, perSecond: opts.jobs / (ms / 1000), cpuMsPerJob, rec };
}

export interface WorkerSideResult extends SideResult {
  /** Sum over jobs of the final `version` (each version bump is one CAS write). */
  versionSum: number;
  complete: number;
}

/** Creates `n` queued jobs of the benchmark workflow directly (the scheduler's part; not timed). */
export async function insertJobs(fleet: BenchFleet, bench: BenchWorkflow, n: number): Promise<JobDoc[]> {
  const now = Date.now();
  const docs: JobDoc[] = Array.from({ length: n }, (_, i) =>
    newQueuedJob(
      {
        jobId: newJobId(now),
        tenantId: fleet.tenant,
        idempotencyKey: `bench-${now}-${i}`,
        workflow: { name: bench.workflow.name, version: bench.workflow.version },
        input: { inline: { n: i } },
      },
      now,
    ),
  );
  for (let i = 0; i < docs.length; i += 500) await fleet.jobs.insertMany(docs.slice(i, i + 500));
  return docs;
}

/** Sums the final versions, counts completed jobs, then deletes the jobs for the next round. */
export async function readBack(fleet: BenchFleet): Promise<{ versionSum: number; complete: number }> {
  const finals = await fleet.jobs
    .find({ tenantId: fleet.tenant }, { projection: { version: 1, status: 1 } })
    .toArray();
  await fleet.jobs.deleteMany({ tenantId: fleet.tenant });
  return {
    versionSum: finals.reduce((n, j) => n + j.version, 0),
    complete: finals.filter((j) => j.status === "complete").length,
  };
}

export async function runWorkerSide(
  fleet: BenchFleet,
  bench: BenchWorkflow,
  opts: SideOptions,
): Promise<WorkerSideResult> {
  const { rt, tenant } = fleet;
  const docs = await insertJobs(fleet, bench, opts.jobs);
  const rec = new Recorder();
  let deletes = 0;
  let done: () => void = () => undefined;
  const allDeleted = new Promise<void>((resolve) => (done = resolve));
  const sqs = timedSqs(rt.sqs, rec, (n) => {
    deletes += n;
    if (deletes >= opts.jobs) done();
  });
  const store = new InstrumentedJobStore(
    countingCollection(tenantCollection<JobDoc>(rt.router, tenant, COLLECTIONS.jobs), rec),
    rec,
  );
  const config = { ...rt.config, worker: { ...rt.config.worker, concurrency: opts.concurrency } };
  const worker = createWorker(
    {
      ...rt,
      config,
      sqs,
      jobsOf: () => store,
      ...(opts.tracing !== undefined ? { tracing: opts.tracing } : {}),
    },
    { catalog: bench.catalog, steps: bench.steps, owner: "bench-worker" },
  );
  worker.start();
  const bodies = docs.map((d) => JSON.stringify({ tenantId: tenant, jobId: d._id }));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await withDeadline(
      Promise.all([sendAll(sqs, rt.queues.work, bodies, opts.producers), allDeleted]),
      opts.timeoutMs,
      "worker run",
    );
  } finally {
    await worker.stop(1_000);
  }
  const ms = performance.now() - t0;
  const cpuMsPerJob = cpuMs(process.cpuUsage(cpu0)) / opts.jobs;
  return {
    side: "worker",
    messages: opts.jobs,
    ms,
    perSecond: opts.jobs / (ms / 1000),
    cpuMsPerJob,
    rec,
    ...(await readBack(fleet)),
  };
}
