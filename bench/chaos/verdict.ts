/**
 * The chaos run's counting, a pure function of what was sent, what MongoDB, the queues and the step
 * records hold at the end, and the cap samples taken during the run. Definitions (README, "Chaos run"):
 *
 * - jobs J: distinct valid jobs (idempotency keys) whose intake message SQS acknowledged.
 * - lost L: valid jobs that did not complete and are not accounted for otherwise: no job document
 *   (and neither still queued nor lost with LocalStack), a document that ended `failed`/`cancelled`,
 *   or a valid message dead-lettered.
 * - expected loss (not in L): valid jobs whose intake message sat in SQS when LocalStack was killed
 *   (seen there by the snapshot taken just before) and that never became a job document.
 * - duplicated D: job documents beyond the first for one (tenant, idempotency key), plus job
 *   documents for a message that must not become a job (garbage).
 * - double-committed C: Task invocation points (job, state, Map index) with more than one committed
 *   result; a result is committed when its token shows up downstream (records.ts).
 * - cap-violations V: samples (per second, per tenant, from the usage document and from the count of
 *   job documents in status running) above the tenant's cap.
 * - dlq-without-reason R: dead-letter entries (intake and work DLQs, including those seen in the
 *   snapshot before LocalStack went) without a non-empty `reason` attribute.
 * - stuck S: job documents not terminal at the end, plus messages still on the intake queues.
 */
import { pointOf, tokensIn, type StepRecord } from "./records.ts";
import { garbageKeyIn } from "./workload.ts";

export const TERMINAL = new Set(["complete", "failed", "cancelled"]);

export interface SentJob {
  readonly tenant: string;
  readonly key: string;
}

export interface JobRow {
  readonly id: string;
  readonly tenant: string;
  readonly key: string;
  readonly status: string;
  /** The inline output (tokens of the final results), or null. */
  readonly output: unknown;
  readonly error?: string | null;
}

export interface DlqEntry {
  readonly queue: string;
  readonly messageId: string;
  readonly body: string;
  readonly reason: string | undefined;
}

export interface CapSample {
  readonly at: number;
  readonly tenant: string;
  readonly cap: number;
  readonly source: "usage" | "jobs";
  readonly running: number;
}

export interface VerdictInput {
  readonly jobs: readonly SentJob[];
  /** Garbage keys sent (acknowledged). */
  readonly garbage: readonly string[];
  readonly docs: readonly JobRow[];
  readonly records: readonly StepRecord[];
  readonly dlq: readonly DlqEntry[];
  /** Bodies of the intake messages SQS held just before LocalStack was killed. */
  readonly lostWithLocalStack: readonly string[];
  /** Bodies of the messages still on the intake queues at the end. */
  readonly pendingIntake: readonly string[];
  readonly samples: readonly CapSample[];
  readonly drainS: number;
}

export interface Figures {
  readonly jobs: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly doubleCommitted: number;
  readonly capViolations: number;
  readonly dlqWithoutReason: number;
  readonly stuck: number;
  readonly drainS: number;
}

export interface Verdict {
  readonly figures: Figures;
  readonly detail: {
    readonly complete: number;
    readonly expectedLoss: number;
    readonly lostMissing: string[];
    readonly lostFailed: { key: string; error: string | null }[];
    readonly lostDeadLettered: string[];
    readonly duplicateDocs: string[];
    readonly garbageJobs: string[];
    readonly garbageDeadLettered: number;
    readonly garbageExpectedLoss: number;
    readonly garbageUnaccounted: string[];
    readonly stuckDocs: { key: string; status: string }[];
    readonly pendingIntake: number;
    readonly doubleCommittedPoints: string[];
    readonly invocations: number;
    readonly committedInvocations: number;
    readonly overlappingPoints: string[];
    readonly sharedIdempotencyKeys: number;
    readonly capViolationSamples: CapSample[];
    readonly dlqByReason: Record<string, number>;
    /** The entries without a reason: which DLQ, and the body (first 200 characters). */
    readonly dlqWithoutReasonEntries: { queue: string; body: string }[];
  };
}

/** The job's idempotency key a message body names, if it parses. */
function keyOfBody(body: string): string | undefined {
  try {
    const v = JSON.parse(body) as { idempotencyKey?: unknown };
    return typeof v?.idempotencyKey === "string" ? v.idempotencyKey : undefined;
  } catch {
    return undefined;
  }
}

function keysOf(bodies: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const b of bodies) {
    const k = garbageKeyIn(b) ?? keyOfBody(b);
    if (k !== undefined) out.add(k);
  }
  return out;
}

function reasonClass(reason: string | undefined): string {
  if (reason === undefined || reason.trim() === "") return "(none)";
  return reason.split(/[:(]/)[0]!.trim().slice(0, 40);
}

export function countVerdict(i: VerdictInput): Verdict {
  const validKeys = new Set(i.jobs.map((j) => j.key));
  const garbageKeys = new Set(i.garbage);
  const lostWithLs = keysOf(i.lostWithLocalStack);
  const pendingKeys = keysOf(i.pendingIntake);
  const dlqKeys = keysOf(i.dlq.map((d) => d.body));

  const docsByKey = new Map<string, JobRow[]>();
  for (const d of i.docs) {
    const k = `${d.tenant}\u0000${d.key}`;
    const list = docsByKey.get(k);
    if (list) list.push(d);
    else docsByKey.set(k, [d]);
  }

  let complete = 0;
  let expectedLoss = 0;
  const lostMissing: string[] = [];
  const lostFailed: { key: string; error: string | null }[] = [];
  const lostDeadLettered: string[] = [];
  const duplicateDocs: string[] = [];
  const garbageJobs: string[] = [];
  const stuckDocs: { key: string; status: string }[] = [];

  for (const j of i.jobs) {
    const docs = docsByKey.get(`${j.tenant}\u0000${j.key}`) ?? [];
    if (docs.length === 0) {
      if (pendingKeys.has(j.key)) continue; // still queued: counted in stuck
      if (dlqKeys.has(j.key)) lostDeadLettered.push(j.key);
      else if (lostWithLs.has(j.key)) expectedLoss++;
      else lostMissing.push(j.key);
      continue;
    }
    for (const extra of docs.slice(1)) duplicateDocs.push(`${j.key} (${extra.id})`);
    const d = docs[0]!;
    if (d.status === "complete") complete++;
    else if (TERMINAL.has(d.status)) lostFailed.push({ key: j.key, error: d.error ?? null });
  }
  for (const d of i.docs) {
    if (!TERMINAL.has(d.status)) stuckDocs.push({ key: d.key, status: d.status });
    if (!validKeys.has(d.key)) garbageJobs.push(`${d.tenant}/${d.key}`);
  }

  let garbageDeadLettered = 0;
  let garbageExpectedLoss = 0;
  const garbageUnaccounted: string[] = [];
  const docKeys = new Set(i.docs.map((d) => d.key));
  for (const g of garbageKeys) {
    if (dlqKeys.has(g)) garbageDeadLettered++;
    else if (docKeys.has(g) || pendingKeys.has(g)) continue;
    else if (lostWithLs.has(g)) garbageExpectedLoss++;
    else garbageUnaccounted.push(g);
  }

  // Double commits: a token is committed when seen downstream or in a final output.
  const committed = new Set<string>();
  for (const r of i.records) for (const t of r.seen) committed.add(t);
  for (const d of i.docs) for (const t of tokensIn(d.output)) committed.add(t);
  const byPoint = new Map<string, StepRecord[]>();
  const pointsByKey = new Map<string, Set<string>>();
  for (const r of i.records) {
    const p = pointOf(r);
    const list = byPoint.get(p);
    if (list) list.push(r);
    else byPoint.set(p, [r]);
    const ps = pointsByKey.get(r.key) ?? new Set<string>();
    ps.add(p);
    pointsByKey.set(r.key, ps);
  }
  const doubleCommittedPoints: string[] = [];
  const overlappingPoints: string[] = [];
  let committedInvocations = 0;
  for (const [p, rs] of byPoint) {
    const c = new Set(rs.filter((r) => committed.has(r.token)).map((r) => r.token));
    committedInvocations += c.size;
    if (c.size > 1) doubleCommittedPoints.push(p);
    // Two invocations of one point running at once (the same job run twice concurrently).
    let maxEnd = -Infinity;
    let overlaps = false;
    for (const r of [...rs].sort((a, b) => a.startedAt - b.startedAt)) {
      if (r.startedAt < maxEnd) overlaps = true;
      maxEnd = Math.max(maxEnd, r.endedAt);
    }
    if (overlaps) overlappingPoints.push(p);
  }
  const sharedIdempotencyKeys = [...pointsByKey.values()].filter((s) => s.size > 1).length;

  const capViolationSamples = i.samples.filter((s) => s.running > s.cap);
  const dlqByReason: Record<string, number> = {};
  for (const e of i.dlq) {
    const c = reasonClass(e.reason);
    dlqByReason[c] = (dlqByReason[c] ?? 0) + 1;
  }
  const noReason = i.dlq.filter((e) => e.reason === undefined || e.reason.trim() === "");
  const dlqWithoutReason = noReason.length;

  return {
    figures: {
      jobs: i.jobs.length,
      lost: lostMissing.length + lostFailed.length + lostDeadLettered.length,
      duplicated: duplicateDocs.length + garbageJobs.length,
      doubleCommitted: doubleCommittedPoints.length,
      capViolations: capViolationSamples.length,
      dlqWithoutReason,
      stuck: stuckDocs.length + i.pendingIntake.length,
      drainS: i.drainS,
    },
    detail: {
      complete,
      expectedLoss,
      lostMissing,
      lostFailed,
      lostDeadLettered,
      duplicateDocs,
      garbageJobs,
      garbageDeadLettered,
      garbageExpectedLoss,
      garbageUnaccounted,
      stuckDocs,
      pendingIntake: i.pendingIntake.length,
      doubleCommittedPoints,
      invocations: i.records.length,
      committedInvocations,
      overlappingPoints,
      sharedIdempotencyKeys,
      capViolationSamples,
      dlqByReason,
      dlqWithoutReasonEntries: noReason.map((e) => ({ queue: e.queue, body: e.body.slice(0, 200) })),
    },
  };
}

/** The closing line, exactly as the issue asks for it. */
export function finalLine(f: Figures): string {
  return (
    `chaos: jobs ${f.jobs}, lost ${f.lost}, duplicated ${f.duplicated}, double-committed ${f.doubleCommitted}, ` +
    `cap-violations ${f.capViolations}, dlq-without-reason ${f.dlqWithoutReason}, stuck ${f.stuck}, ` +
    `drain-s ${f.drainS.toFixed(1)}`
  );
}

/** Exit code: 1 when any of L, D, C, V, S is not 0 (R and the drain time are reported, not judged). */
export function exitCode(f: Figures): number {
  return f.lost + f.duplicated + f.doubleCommitted + f.capViolations + f.stuck === 0 ? 0 : 1;
}
