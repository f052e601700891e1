import type { JobView } from "./progress.ts";

/** The interval in which every tenant still had work waiting to start, and each tenant's share of it. */
export interface ContentionShares {
  readonly fromMs: number;
  readonly toMs: number;
  /** Tenant → its jobs' running time inside the window over all jobs' running time there (0..1). */
  readonly shares: ReadonlyMap<string, number>;
}

/** Nearest-rank percentile of `values` (p in 0..100); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** When a job stopped using a worker: finished, parked for review (its last write), or still running. */
function endOf(job: JobView, now: number): number {
  if (job.finishedAt !== null) return job.finishedAt;
  if (job.status === "needs_review") return job.updatedAt;
  return now;
}

/**
 * Each tenant's share of the fleet while all of them competed: from the first job start to the
 * moment the first tenant started its last job (after that it had nothing waiting, and the others may
 * take its place). A job counts for the time between its start and its end inside that window.
 * Undefined when the window is empty (a tenant never started a job, or all started at once).
 */
export function contentionShares(
  tenants: readonly string[],
  jobs: readonly JobView[],
  now: number,
): ContentionShares | undefined {
  const started = jobs.filter((j): j is JobView & { startedAt: number } => j.startedAt !== null);
  if (started.length === 0) return undefined;
  const lastStart = tenants.map((t) =>
    Math.max(...started.filter((j) => j.tenantId === t).map((j) => j.startedAt)),
  );
  if (lastStart.some((s) => !Number.isFinite(s))) return undefined;
  const fromMs = Math.min(...started.map((j) => j.startedAt));
  const toMs = Math.min(...lastStart);
  if (toMs <= fromMs) return undefined;
  const busy = new Map<string, number>(tenants.map((t) => [t, 0]));
  for (const j of started) {
    if (!busy.has(j.tenantId)) continue;
    const overlap = Math.min(endOf(j, now), toMs) - Math.max(j.startedAt, fromMs);
    if (overlap > 0) busy.set(j.tenantId, busy.get(j.tenantId)! + overlap);
  }
  const total = [...busy.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  return { fromMs, toMs, shares: new Map([...busy].map(([t, b]) => [t, b / total])) };
}
