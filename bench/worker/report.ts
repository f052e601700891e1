/** The worker benchmark's figures and their printed form (stdout; progress goes to stderr). */
import { median } from "../lib/stats.ts";
import { formatTable, type Column } from "../lib/table.ts";
import { percentile, type OpSummary } from "./instrument.ts";
import type { SideOptions, SideResult, WorkerSideResult } from "./sides.ts";
import { STATES_PER_JOB } from "./workflow.ts";

export interface WorkerReport {
  options: SideOptions & { rounds: number; warmup: number };
  bare: { jobsPerSecond: number; rounds: number[]; cpuMsPerJob: number };
  worker: { jobsPerSecond: number; rounds: number[]; cpuMsPerJob: number };
  ratio: number;
  statesPerJob: number;
  /** Writes that modified a job document (claim included), per ASL state entered. */
  writesPerTransition: number;
  /** The same from the jobs' final versions (sum of versions / transitions). */
  versionsPerTransition: number;
  writesPerJob: number;
  /** MongoDB commands (round trips) the worker's job store sent, per job: group commit at work. */
  mongoCommandsPerJob: number;
  /** Messages per SQS receive (median round's profile for the worker, first round for bare). */
  messagesPerReceive: { bare: number; worker: number };
  checkpoint: { calls: number; p50Ms: number; p99Ms: number };
  claim: { calls: number; p50Ms: number; p99Ms: number };
  workerProfile: (OpSummary & { perJob: number })[];
  bareProfile: (OpSummary & { perJob: number })[];
  counters: Record<string, number>;
}

export interface ReportInput {
  opts: SideOptions;
  rounds: number;
  /** Unmeasured messages per side before the rounds. */
  warmup: number;
  bareRates: number[];
  workerRates: number[];
  /** This process's CPU ms per message, per round. */
  bareCpu: number[];
  workerCpu: number[];
  profiled: WorkerSideResult;
  bareProfile: SideResult;
}

function latency(r: WorkerSideResult, op: string) {
  const s = r.rec.samples.get(op) ?? [];
  return { calls: s.length, p50Ms: percentile(s, 0.5), p99Ms: percentile(s, 0.99) };
}

const perReceive = (r: SideResult) =>
  r.rec.counter("sqs.messages_received") / (r.rec.samples.get("sqs.receive")?.length ?? Number.NaN);

export function buildReport(input: ReportInput): WorkerReport {
  const { profiled: w, opts } = input;
  const bareRate = median(input.bareRates);
  const workerRate = median(input.workerRates);
  const transitions = w.messages * STATES_PER_JOB;
  const writes = w.rec.counter("mongo.writes");
  const perJob = (s: SideResult) => (o: OpSummary) => ({ ...o, perJob: o.calls / s.messages });
  return {
    options: { ...opts, rounds: input.rounds, warmup: input.warmup },
    bare: { jobsPerSecond: bareRate, rounds: input.bareRates, cpuMsPerJob: median(input.bareCpu) },
    worker: { jobsPerSecond: workerRate, rounds: input.workerRates, cpuMsPerJob: median(input.workerCpu) },
    ratio: workerRate / bareRate,
    statesPerJob: STATES_PER_JOB,
    writesPerTransition: writes / transitions,
    versionsPerTransition: w.versionSum / transitions,
    writesPerJob: writes / w.messages,
    messagesPerReceive: {
      bare: perReceive(input.bareProfile),
      worker: perReceive(w),
    },
    mongoCommandsPerJob:
      [...w.rec.samples.entries()]
        .filter(([op]) => op.startsWith("mongo."))
        .reduce((n, [, samples]) => n + samples.length, 0) / w.messages,
    checkpoint: latency(w, "store.checkpoint"),
    claim: latency(w, "store.claim"),
    workerProfile: w.rec.summary().map(perJob(w)),
    bareProfile: input.bareProfile.rec.summary().map(perJob(input.bareProfile)),
    counters: Object.fromEntries(w.rec.counters),
  };
}

const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : "-");

const cols = (...names: string[]): Column[] =>
  names.map((header, i) => ({ header, align: i === 0 ? "left" : "right" }));

function profileTable(rows: WorkerReport["workerProfile"]): string {
  return formatTable(
    cols("operation", "calls", "per job", "total ms", "p50 ms", "p99 ms"),
    rows.map((r) => [r.op, String(r.calls), f(r.perJob), f(r.totalMs, 0), f(r.p50Ms), f(r.p99Ms)]),
  );
}

export function printReport(r: WorkerReport): void {
  const o = r.options;
  const lines = [
    `worker benchmark: ${o.jobs} jobs x ${r.statesPerJob} states (Pass, Task, Pass, Task, Succeed; no-op steps)`,
    `one in-process worker, concurrency ${o.concurrency}; ${o.producers} parallel batch senders; ${o.rounds} round(s) per side after a ${o.warmup}-message warm-up, median shown`,
    "",
    formatTable(cols("side", "jobs/s (median)", "rounds"), [
      [
        "bare SQS send/receive(10)/deleteBatch",
        f(r.bare.jobsPerSecond, 0),
        r.bare.rounds.map((x) => f(x, 0)).join(", "),
      ],
      [
        "worker (claim, checkpoints, batched delete)",
        f(r.worker.jobsPerSecond, 0),
        r.worker.rounds.map((x) => f(x, 0)).join(", "),
      ],
    ]),
    "",
    `ratio worker/bare: ${f(r.ratio)}`,
    `this process's CPU per job (median; the producer's share included): bare ${f(r.bare.cpuMsPerJob, 3)} ms, worker ${f(r.worker.cpuMsPerJob, 3)} ms`,
    `MongoDB writes per transition: ${f(r.writesPerTransition)} (${f(r.writesPerJob, 1)} per job of ${r.statesPerJob} states; from final versions: ${f(r.versionsPerTransition)})`,
    `messages per SQS receive: bare ${f(r.messagesPerReceive.bare, 1)}, worker ${f(r.messagesPerReceive.worker, 1)}`,
    `MongoDB commands per job: ${f(r.mongoCommandsPerJob)} (group commit: concurrent jobs' reads and CAS writes share commands)`,
    `checkpoint latency: p50 ${f(r.checkpoint.p50Ms)} ms, p99 ${f(r.checkpoint.p99Ms)} ms over ${r.checkpoint.calls} checkpoints`,
    `claim (read, decide, CAS) latency: p50 ${f(r.claim.p50Ms)} ms, p99 ${f(r.claim.p99Ms)} ms`,
    "",
    "worker profile (median round; nested: store.* includes the mongo.* calls it makes):",
    profileTable(r.workerProfile),
    "",
    "bare SQS profile:",
    profileTable(r.bareProfile),
    "",
    `counters: ${Object.entries(r.counters)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
  ];
  console.log(lines.join("\n"));
}
