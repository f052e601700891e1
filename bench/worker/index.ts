/**
 * `npm run bench -- worker`: 2,000 jobs of a five-state workflow with no-op steps through ONE
 * in-process worker against the local stack, and in the same run a bare SQS send/receive/delete
 * loop of the same message count (see sides.ts for what each side does). Rounds alternate
 * (bare, worker, worker, bare, ...) so drift in LocalStack hits both sides alike; each side's figure
 * is its median round. Prints jobs/s for both, the ratio, MongoDB writes per transition, p50/p99
 * checkpoint latency and a per-operation profile of the worker, and ends with the line
 *   worker/bare-sqs throughput ratio: R
 *
 * The worker side is the real worker (`createWorker`): its job store and queue port are only
 * wrapped to count and time what they do. It makes 3 MongoDB writes per job of 5 states (claim,
 * one checkpoint, completion); with group commit (ADR 0004) the jobs running at once share their
 * reads and writes in a few commands, so the commands per job are far fewer than the writes.
 *
 * Five rounds per side by default, because a shared 2-core machine's rounds spread widely (the
 * bare loop alone ranges ±15%); the median of five is what a repeat run reproduces. Before them,
 * one unmeasured round of the full size per side: on a stack the benchmark has just started, the
 * JVM's and V8's JIT are cold and the first worker rounds ran 20% below the later ones (598 → 789
 * jobs/s over five rounds after a 500-job warm-up; 759 → 821 after a full-size one).
 *
 * Options: --jobs N (2000), --concurrency N (32), --producers N (4), --rounds N (5), --warmup N
 * (default: --jobs, per side, not measured), --quick (500 jobs, 1 round), --tracing (the worker
 * traces every job and exports over OTLP/HTTP to a local endpoint that discards what it gets,
 * `otlp-sink.ts`: the ratio then includes tracing's cost; off by default, as in production without
 * OTEL_EXPORTER_OTLP_ENDPOINT), --no-save.
 * Starts the local stack when AWS_ENDPOINT_URL / MONGO_URL are not set (and stops it after).
 */
import { ensureStack } from "../../infra/stack/index.ts";
import { intOption, parseArgs } from "../lib/args.ts";
import { machineInfo } from "../lib/machine-info.ts";
import { progress } from "../lib/progress.ts";
import { writeResult } from "../lib/results.ts";
import { createBenchFleet, type BenchFleet } from "./fleet.ts";
import { buildReport, printReport } from "./report.ts";
import {
  runBareSide,
  runWorkerSide,
  type SideOptions,
  type SideResult,
  type WorkerSideResult,
} from "./sides.ts";
import { benchWorkflow } from "./workflow.ts";
import { startOtlpSink } from "./otlp-sink.ts";
import { startTracing } from "../../shared/tracing/start-tracing.ts";

export async function workerBench(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["jobs", "concurrency", "producers", "rounds", "warmup"]);
  const quick = args.flags.has("quick");
  const opts: SideOptions = {
    jobs: intOption(args, "jobs", quick ? 500 : 2000),
    concurrency: intOption(args, "concurrency", 32),
    producers: intOption(args, "producers", 4),
    timeoutMs: 120_000,
  };
  const rounds = intOption(args, "rounds", quick ? 1 : 5);
  const warmup = intOption(args, "warmup", opts.jobs);
  const sink = args.flags.has("tracing") ? await startOtlpSink() : undefined;

  progress("local stack: using AWS_ENDPOINT_URL / MONGO_URL or starting it");
  const stack = await ensureStack({});
  const fleet = await createBenchFleet(
    { ...stack.env },
    { SLUICE_POLL_WAIT_SECONDS: "1", SLUICE_VISIBILITY_TIMEOUT_SECONDS: "60", SLUICE_LEASE_SECONDS: "60" },
  );
  progress(`fleet ${fleet.name} provisioned (queues, bucket, database)`);
  const tracing =
    sink === undefined
      ? undefined
      : startTracing(
          { tracing: { endpoint: sink.tracesUrl, exportDelayMs: 1_000 } },
          "sluice-worker",
          fleet.rt.log,
        );
  if (tracing !== undefined) {
    opts.tracing = tracing;
    progress(`tracing on: spans exported over OTLP/HTTP to ${sink?.tracesUrl} (discarded)`);
  }
  try {
    const wf = benchWorkflow();
    progress(`warm-up: ${warmup} messages per side`);
    await runBareSide(fleet, { ...opts, jobs: warmup });
    await settle(fleet);
    await runWorkerSide(fleet, wf, { ...opts, jobs: warmup });

    await settle(fleet);
    const bare: SideResult[] = [];
    const worker: WorkerSideResult[] = [];
    const sides = ["bare", "worker"] as const;
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
        progress(`round ${r + 1}/${rounds}: ${side}, ${opts.jobs} messages`);
        let last: SideResult;
        if (side === "bare") bare.push((last = await runBareSide(fleet, opts)));
        else worker.push((last = await runWorkerSide(fleet, wf, opts)));
        await settle(fleet);
        progress(`  ${last.perSecond.toFixed(0)} msg/s in ${(last.ms / 1000).toFixed(2)} s`);
      }
    }
    const incomplete = worker.filter((w) => w.complete !== opts.jobs);
    if (incomplete.length > 0) {
      console.error(`worker rounds left jobs unfinished: ${incomplete.map((w) => w.complete).join(", ")}`);
      return 1;
    }
    const report = buildReport({
      opts,
      rounds,
      warmup,
      bareRates: bare.map((b) => b.perSecond),
      workerRates: worker.map((w) => w.perSecond),
      bareCpu: bare.map((b) => b.cpuMsPerJob),
      workerCpu: worker.map((w) => w.cpuMsPerJob),
      // The profile is that of the median worker round (the first when there are two).
      profiled: [...worker].sort((a, b) => a.perSecond - b.perSecond)[Math.floor((worker.length - 1) / 2)]!,
      bareProfile: bare[0]!,
    });
    printReport(report);
    if (!args.flags.has("no-save")) {
      const file = await writeResult(tracing !== undefined ? "worker-tracing" : "worker", {
        benchmark: "worker",
        date: new Date().toISOString(),
        machine: machineInfo(),
        tracing: tracing !== undefined,
        ...report,
      });
      progress(`results written to ${file}`);
    }
    if (tracing !== undefined && sink !== undefined) {
      await tracing.shutdown();
      console.log(
        `tracing on: ${sink.requests} OTLP exports, ${(sink.bytes / 1e6).toFixed(1)} MB of spans over the run`,
      );
    }
    console.log(
      `worker/bare-sqs throughput ratio${tracing !== undefined ? " (tracing on)" : ""}: ${report.ratio.toFixed(2)}`,
    );
    return 0;
  } finally {
    await tracing?.shutdown();
    await sink?.close();
    await fleet.cleanup();
    if (stack.startedByUs) {
      progress("stopping the local stack this run started");
      await stack.stop();
    }
  }
}

/**
 * Waits until the work queue is empty and no receive from the previous side is still open. A long
 * poll that was aborted client-side (the worker's stop() aborts its receive) is still served by the
 * server, which hands it up to 10 messages nobody will see again until their visibility timeout
 * runs out; starting the next side right away would let it swallow part of that side's messages.
 */
async function settle(fleet: BenchFleet): Promise<void> {
  await sleep((fleet.config.worker.pollWaitSeconds + 1) * 1000);
  const depth = await fleet.rt.sqs.approximateDepth(fleet.rt.queues.work);
  if (depth.visible + depth.inFlight + depth.delayed > 0) {
    throw new Error(`work queue not empty between rounds: ${JSON.stringify(depth)}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
