import type { JobStatus } from "../shared/jobs/job-doc.ts";

/** What the live view and the report need of a job document. */
export interface JobView {
  readonly tenantId: string;
  readonly jobId: string;
  readonly idempotencyKey: string;
  readonly status: JobStatus;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly updatedAt: number;
}

/** One tenant's row of the live view. */
export interface TenantTally {
  readonly tenant: string;
  /** Sent and not started yet: still on the intake queue, or released and waiting for a worker. */
  readonly queued: number;
  readonly running: number;
  readonly review: number;
  readonly complete: number;
  readonly failed: number;
  /** Its running jobs over all running jobs (0..1; 0 when nothing runs). */
  readonly fleetShare: number;
}

/**
 * Counts each tenant's jobs by what they are doing now. `sent` is how many job messages the demo put
 * on the tenant's intake queue; those without a job document yet are still queued at intake.
 */
export function tally(
  tenants: readonly string[],
  sent: ReadonlyMap<string, number>,
  jobs: readonly JobView[],
): TenantTally[] {
  const running = jobs.filter((j) => j.status === "running").length;
  return tenants.map((tenant) => {
    const mine = jobs.filter((j) => j.tenantId === tenant);
    const count = (s: readonly JobStatus[]) => mine.filter((j) => s.includes(j.status)).length;
    const r = count(["running"]);
    const started = mine.length - count(["queued"]);
    return {
      tenant,
      queued: Math.max(0, (sent.get(tenant) ?? 0) - started),
      running: r,
      review: count(["needs_review"]),
      complete: count(["complete"]),
      failed: count(["failed", "cancelled"]),
      fleetShare: running === 0 ? 0 : r / running,
    };
  });
}

const COLUMNS = ["tenant", "queued", "running", "review", "complete", "failed", "fleet"] as const;

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** The live table: a header, one row per tenant, a footer line. */
export function renderTable(rows: readonly TenantTally[], footer: string): string[] {
  const cells = rows.map((r) => [
    r.tenant,
    String(r.queued),
    String(r.running),
    String(r.review),
    String(r.complete),
    String(r.failed),
    pct(r.fleetShare),
  ]);
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  return [line(COLUMNS), ...cells.map(line), footer];
}

/** One plain line for a log or a pipe: `12s small-co q3 r2 v0 c1 f0 25% | ...`. */
export function renderLine(rows: readonly TenantTally[], elapsedMs: number): string {
  const parts = rows.map(
    (r) =>
      `${r.tenant} queued ${r.queued} running ${r.running} review ${r.review} complete ${r.complete} failed ${r.failed} fleet ${pct(r.fleetShare)}`,
  );
  return `${Math.round(elapsedMs / 1000)}s  ${parts.join(" | ")}`;
}

/** True when every sent job has come to rest: complete, failed, cancelled or waiting for review. */
export function allSettled(rows: readonly TenantTally[]): boolean {
  return rows.every((r) => r.queued === 0 && r.running === 0);
}
