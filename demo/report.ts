import { scoreResult, sumScores, type Truth } from "./accuracy.ts";
import type { JobView } from "./progress.ts";
import { contentionShares, percentile } from "./shares.ts";
import type { DemoTenant } from "./tenants.ts";
import { weightShares } from "./tenants.ts";

/** A job as the report sees it: its document fields plus what the demo knows about it. */
export interface DemoJobRecord extends JobView {
  /** When the demo put its message on the intake queue. */
  readonly sentAt: number;
  /** The uploaded document's S3 key (or a label for jobs without one). */
  readonly document: string;
  readonly error: string | null;
  readonly cause: string | null;
  /** The job's output (complete) or the data under review (needs_review); undefined otherwise. */
  readonly result: unknown;
  readonly truth?: Truth;
}

/** Where to look afterwards, and how to reach it. */
export interface DemoWhere {
  readonly bucket: string;
  readonly database: string;
  readonly queuePrefix: string;
  readonly logsDir: string;
  /** Settings that point a command at this run's namespace, e.g. `SLUICE_BUCKET=... SLUICE_DB=...`. */
  readonly env: string;
  /** The stack still runs after the demo (so the results can be looked at and the review commands work). */
  readonly stackKept: boolean;
}

export interface TenantReport {
  readonly tenant: string;
  readonly role: string;
  readonly jobs: number;
  readonly complete: number;
  readonly review: number;
  readonly failed: number;
  readonly unfinished: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly fleetShare: number | null;
  readonly weightShare: number;
  readonly accuracy: { docs: number; typesRight: number; fieldsRight: number; fieldsTotal: number } | null;
  readonly s3Prefix: string;
  /** The scheduler replica holding its intake lease at the end of the run; null: none. */
  readonly scheduler: string | null;
}

export interface DemoReport {
  readonly workflow: string;
  readonly elapsedMs: number;
  readonly workers: number;
  /** Scheduler replicas the fleet ran. */
  readonly schedulers: number;
  readonly contention: { fromMs: number; toMs: number } | null;
  readonly tenants: readonly TenantReport[];
  readonly failures: readonly {
    tenant: string;
    jobId: string;
    document: string;
    error: string;
    cause: string;
  }[];
  readonly review: readonly { tenant: string; jobId: string; document: string; approve: string }[];
  readonly where: DemoWhere;
}

export function approveCommand(tenant: string, jobId: string): string {
  return `npm run review -- approve ${tenant} ${jobId} --reviewer you`;
}

/** Builds the report's figures from the jobs at the end of the run (pure). */
export function buildReport(input: {
  workflow: string;
  tenants: readonly DemoTenant[];
  jobs: readonly DemoJobRecord[];
  sent: ReadonlyMap<string, number>;
  startedAt: number;
  now: number;
  workers: number;
  /** Scheduler replicas, and which holds each tenant's lease at the end (absent: one, not asked). */
  schedulers?: { replicas: number; owners: ReadonlyMap<string, string | null> };
  where: DemoWhere;
}): DemoReport {
  const ids = input.tenants.map((t) => t.id as string);
  const contention = contentionShares(ids, input.jobs, input.now);
  const weights = weightShares(input.tenants);
  const tenants = input.tenants.map((t): TenantReport => {
    const mine = input.jobs.filter((j) => j.tenantId === t.id);
    const done = mine.filter((j) => j.finishedAt !== null && j.status === "complete");
    const latencies = done.map((j) => j.finishedAt! - j.sentAt);
    const scored = mine.filter(
      (j) => j.truth !== undefined && (j.status === "complete" || j.status === "needs_review"),
    );
    const count = (s: string[]) => mine.filter((j) => s.includes(j.status)).length;
    const sent = input.sent.get(t.id) ?? mine.length;
    const settled = count(["complete", "needs_review", "failed", "cancelled"]);
    return {
      tenant: t.id,
      role: t.role,
      jobs: sent,
      complete: count(["complete"]),
      review: count(["needs_review"]),
      failed: count(["failed", "cancelled"]),
      unfinished: Math.max(0, sent - settled),
      p50Ms: latencies.length ? percentile(latencies, 50) : null,
      p95Ms: latencies.length ? percentile(latencies, 95) : null,
      fleetShare: contention?.shares.get(t.id) ?? null,
      weightShare: weights.get(t.id) ?? 0,
      accuracy: scored.length ? sumScores(scored.map((j) => scoreResult(j.truth!, j.result))) : null,
      s3Prefix: `s3://${input.where.bucket}/tenants/${t.id}/jobs/`,
      scheduler: input.schedulers?.owners.get(t.id) ?? null,
    };
  });
  return {
    workflow: input.workflow,
    elapsedMs: input.now - input.startedAt,
    workers: input.workers,
    schedulers: input.schedulers?.replicas ?? 1,
    contention: contention ? { fromMs: contention.fromMs, toMs: contention.toMs } : null,
    tenants,
    failures: input.jobs
      .filter((j) => j.status === "failed" || j.status === "cancelled")
      .map((j) => ({
        tenant: j.tenantId,
        jobId: j.jobId,
        document: j.document,
        error: j.error ?? j.status,
        cause: j.cause ?? "",
      })),
    review: input.jobs
      .filter((j) => j.status === "needs_review")
      .map((j) => ({
        tenant: j.tenantId,
        jobId: j.jobId,
        document: j.document,
        approve: approveCommand(j.tenantId, j.jobId),
      })),
    where: input.where,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const secs = (ms: number | null) => (ms === null ? "-" : `${(ms / 1000).toFixed(1)} s`);
const pct = (x: number | null) => (x === null ? "-" : `${Math.round(x * 100)}%`);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: readonly string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)];
}

function accuracyCell(a: TenantReport["accuracy"]): [string, string] {
  if (!a) return ["-", "-"];
  const fields = a.fieldsTotal === 0 ? "-" : `${Math.round((a.fieldsRight / a.fieldsTotal) * 100)}%`;
  return [`${a.typesRight}/${a.docs}`, fields];
}

/** The human-readable report (no raw documents). */
export function renderReport(r: DemoReport): string[] {
  const out: string[] = [];
  out.push(
    `REPORT — workflow ${r.workflow}, ${plural(r.schedulers, "scheduler replica")}, ${plural(r.workers, "worker process", "worker processes")}, ${(r.elapsedMs / 1000).toFixed(0)} s from first message to last result`,
    "",
  );
  out.push(
    ...table(
      [
        "tenant",
        "jobs",
        "complete",
        "review",
        "failed",
        "p50",
        "p95",
        "fleet",
        "weight",
        "type ok",
        "fields ok",
        "scheduler",
      ],
      r.tenants.map((t) => [
        t.tenant,
        String(t.jobs),
        String(t.complete),
        String(t.review),
        String(t.failed),
        secs(t.p50Ms),
        secs(t.p95Ms),
        pct(t.fleetShare),
        pct(t.weightShare),
        ...accuracyCell(t.accuracy),
        t.scheduler ?? "-",
      ]),
    ),
  );
  out.push("");
  out.push("  p50/p95: from the message on the intake queue to the job complete.");
  out.push(
    r.contention
      ? `  fleet: each tenant's share of the workers' time while all three had work waiting (${((r.contention.toMs - r.contention.fromMs) / 1000).toFixed(1)} s); weight: the share its weight promises (capped tenants take less).`
      : "  fleet: the tenants never competed for the workers long enough to measure shares.",
  );
  out.push("  type ok / fields ok: classified type and extracted fields against the corpus ground truth.");
  out.push(
    r.schedulers > 1
      ? `  scheduler: the replica that owns the tenant's intake (its lease in MongoDB) at the end; the ${r.schedulers} replicas divide the tenants between them and the free worker slots by the tenants' weights.`
      : "  scheduler: the one scheduler, which owns every tenant's intake (--schedulers N runs N replicas).",
  );
  for (const t of r.tenants) out.push(`  ${t.tenant}: ${t.role}`);
  const unfinished = r.tenants.reduce((n, t) => n + t.unfinished, 0);
  if (unfinished > 0) out.push(`  ${unfinished} job(s) had not finished when the demo stopped waiting.`);
  out.push("");
  out.push(
    r.where.stackKept
      ? "Where the results are:"
      : "Where the results were (the stack this run started is stopped with them; --keep-stack keeps them):",
  );
  out.push(
    `  S3        s3://${r.where.bucket}/tenants/<tenant>/jobs/<jobId>/  (page text, fields, thumbnails)`,
  );
  out.push(
    `  MongoDB   database ${r.where.database}, collection jobs  ({tenantId, _id}: status, output, history)`,
  );
  out.push(`  logs      ${r.where.logsDir}`);
  if (r.failures.length > 0) {
    out.push("", `Failed (${r.failures.length}):`);
    for (const f of r.failures.slice(0, 10))
      out.push(`  ${f.tenant} ${f.jobId} ${f.error}: ${f.cause.slice(0, 160)}`);
    if (r.failures.length > 10) out.push(`  ... and ${r.failures.length - 10} more (--json lists them all)`);
  }
  out.push("");
  if (r.review.length === 0) {
    out.push("No job is waiting for review.");
  } else {
    out.push(`Waiting for review (${r.review.length}):`);
    for (const j of r.review.slice(0, 10)) out.push(`  ${j.tenant} ${j.jobId}  ${j.document}`);
    if (r.review.length > 10)
      out.push(`  ... and ${r.review.length - 10} more (npm run review -- list <tenant>)`);
    const first = r.review[0]!;
    out.push("Approve one (the job then completes):");
    if (r.where.stackKept) {
      out.push(`  eval "$(npm run -s stack env)"; export ${r.where.env}`);
      out.push(`  ${first.approve}`);
    } else {
      out.push(`  ${first.approve}`);
      out.push("  (the stack has been stopped: run the demo with --keep-stack to try it)");
    }
  }
  return out;
}
