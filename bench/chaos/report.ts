/** The chaos run's report on stdout and its results file `bench/results/chaos-<timestamp>.json`. */
import type { MachineInfo } from "../lib/machine-info.ts";
import { writeResult } from "../lib/results.ts";
import type { FaultLogEntry } from "./faults.ts";
import type { ExitRecord } from "./procs.ts";
import { countKinds } from "./schedule.ts";
import { finalLine, type Verdict } from "./verdict.ts";
import type { ChaosTenant } from "./workload.ts";

export interface RunInfo {
  readonly options: unknown;
  readonly elapsedS: number;
  readonly drained: boolean;
  readonly producer: { messages: number; duplicates: number; garbage: number; sendErrors: number };
  readonly samples: { taken: number; failed: number };
  readonly faults: readonly FaultLogEntry[];
  readonly exits: readonly ExitRecord[];
  readonly spawned: number;
  readonly survivors: readonly number[];
  readonly workInFlightAtLocalStackKill: number;
  /** Work messages still on the work queue at the end (every job terminal: no-ops). */
  readonly workMessagesLeft: number;
  readonly badRecordLines: number;
  readonly stateDir: string;
}

const LIST = 10;
const some = (xs: readonly unknown[]) =>
  xs.length === 0
    ? ""
    : `: ${xs
        .slice(0, LIST)
        .map((x) => (typeof x === "string" ? x : JSON.stringify(x)))
        .join(", ")}${xs.length > LIST ? ", …" : ""}`;

export function reportLines(v: Verdict, run: RunInfo): string[] {
  const d = v.detail;
  const f = v.figures;
  const done = run.faults.filter((x) => x.done);
  const kinds = countKinds(done.map((x) => ({ atMs: x.startMs, kind: x.kind, target: x.target })));
  const restarts = run.faults
    .filter((x) => x.kind.startsWith("restart"))
    .map((x) => `${x.kind.slice(8)} ${((x.endMs - x.startMs) / 1000).toFixed(1)} s`);
  const unexpected = run.exits.filter((e) => !e.expected);
  return [
    "",
    `chaos run: ${run.elapsedS.toFixed(0)} s, ${run.drained ? "drained" : "NOT drained"}; logs and step records in ${run.stateDir}`,
    `faults: ${kinds["kill-worker"]} workers and ${kinds["kill-scheduler"]} schedulers SIGKILLed, ${kinds["term-worker"]} worker SIGTERMed, restarts ${restarts.join(", ")}` +
      (done.length < run.faults.length
        ? ` (${run.faults.length - done.length} kills found their slot empty)`
        : ""),
    `processes: ${run.spawned} spawned, ${unexpected.length} exited on their own (${unexpected.filter((e) => e.livedMs < 15_000).length} within 15 s of starting)` +
      `${some(unexpected.map((e) => `${e.role}-${e.index} code ${e.code} after ${(e.livedMs / 1000).toFixed(0)} s`))}; survivors after the run: ${run.survivors.length}`,
    `sent: ${run.producer.messages} messages (${f.jobs} jobs, ${run.producer.duplicates} duplicates, ${run.producer.garbage} garbage), ${run.producer.sendErrors} failed sends retried`,
    `jobs: ${d.complete} complete; expected loss with LocalStack ${d.expectedLoss} (+${d.garbageExpectedLoss} garbage; ${run.workInFlightAtLocalStackKill} work messages went too)`,
    `lost ${f.lost}: ${d.lostMissing.length} never became a job${some(d.lostMissing)}; ${d.lostFailed.length} failed${some(d.lostFailed)}; ${d.lostDeadLettered.length} dead-lettered${some(d.lostDeadLettered)}`,
    `duplicated ${f.duplicated}: ${d.duplicateDocs.length} extra documents${some(d.duplicateDocs)}; ${d.garbageJobs.length} from garbage${some(d.garbageJobs)}`,
    `double-committed ${f.doubleCommitted}${some(d.doubleCommittedPoints)}; ${d.invocations} step invocations, ${d.committedInvocations} committed; ` +
      `${d.overlappingPoints.length} points ran twice at once${some(d.overlappingPoints)}; ${d.sharedIdempotencyKeys} idempotency keys shared by several points`,
    `cap-violations ${f.capViolations} of ${run.samples.taken} samples (${run.samples.failed} failed)${some(d.capViolationSamples.map((s) => `${s.tenant} ${s.source} ${s.running}/${s.cap}`))}`,
    `dlq: ${JSON.stringify(d.dlqByReason)}; ${d.dlqWithoutReasonEntries.length} without a reason${some(d.dlqWithoutReasonEntries.map((e) => `${e.queue} ${e.body}`))}; garbage dead-lettered ${d.garbageDeadLettered}, unaccounted ${d.garbageUnaccounted.length}${some(d.garbageUnaccounted)}`,
    `stuck ${f.stuck}: ${d.stuckDocs.length} open documents${some(d.stuckDocs)}; ${d.pendingIntake} intake messages left; ${run.workMessagesLeft} work messages left (for finished jobs: no-ops)`,
    ...(run.badRecordLines > 0
      ? [`${run.badRecordLines} step record lines cut short (a SIGKILL mid-write)`]
      : []),
  ];
}

export function printReport(v: Verdict, run: RunInfo): void {
  for (const line of reportLines(v, run)) console.log(line);
}

const cap = <T>(xs: readonly T[]) => xs.slice(0, 200);

export async function saveResult(
  v: Verdict,
  run: RunInfo,
  machine: MachineInfo,
  tenants: readonly ChaosTenant[],
  settings: Readonly<Record<string, string>>,
): Promise<string> {
  const d = v.detail;
  return writeResult("chaos", {
    benchmark: "chaos",
    date: new Date().toISOString(),
    machine,
    tenants,
    settings,
    figures: v.figures,
    finalLine: finalLine(v.figures),
    detail: {
      ...d,
      lostMissing: cap(d.lostMissing),
      lostFailed: cap(d.lostFailed),
      lostDeadLettered: cap(d.lostDeadLettered),
      duplicateDocs: cap(d.duplicateDocs),
      garbageJobs: cap(d.garbageJobs),
      garbageUnaccounted: cap(d.garbageUnaccounted),
      stuckDocs: cap(d.stuckDocs),
      doubleCommittedPoints: cap(d.doubleCommittedPoints),
      overlappingPoints: cap(d.overlappingPoints),
      capViolationSamples: cap(d.capViolationSamples),
    },
    run,
  });
}
