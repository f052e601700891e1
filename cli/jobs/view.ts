/**
 * What `sluice jobs list|get|timeline|logs` print, computed from job documents alone (pure; no
 * tracing backend): a summary row, the document without its bulky execution state, the timeline
 * (every recorded event with how long the job stayed until the next one) and the log of attempts,
 * errors and decisions.
 */
import { traceIdOf } from "../../shared/tracing/trace-context.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";

const iso = (ms: number | null | undefined): string | null =>
  ms == null ? null : new Date(ms).toISOString();

/** `1.2s`, `3m04s`, `2h05m`, `3d04h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, "0")}h`;
}

export const JOB_LIST_HEADERS = [
  "JOB",
  "WORKFLOW",
  "STATUS",
  "PRIORITY",
  "ATTEMPTS",
  "CREATED",
  "AGE",
  "ERROR",
];

export function jobListCells(job: JobDoc, now: number): string[] {
  return [
    job._id,
    job.workflow.name,
    job.status,
    String(job.priority),
    String(job.attempts),
    iso(job.createdAt) ?? "",
    formatDuration(now - job.createdAt),
    job.error ?? "",
  ];
}

/** The current top-level state of the execution (name and entered time), when it is inline. */
export function currentState(job: JobDoc): { state: string; enteredAt?: number } | undefined {
  const root = (job.execution as { root?: { s?: unknown; at?: unknown } } | null)?.root;
  if (root === undefined || typeof root.s !== "string") return undefined;
  return typeof root.at === "number" ? { state: root.s, enteredAt: root.at } : { state: root.s };
}

/** The job as scripts read it: every field but the execution state (named by its current state). */
export function jobJson(job: JobDoc): Record<string, unknown> {
  const { execution, executionRef, history, ...rest } = job;
  const current = currentState(job);
  return {
    ...rest,
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    wakeAt: iso(job.wakeAt),
    currentState: current?.state ?? null,
    execution: execution !== null ? "inline" : executionRef ? { s3: executionRef } : null,
    historyEvents: history.length,
  };
}

export interface TimelineEntry {
  readonly at: number;
  readonly event: string;
  readonly state?: string;
  readonly detail?: unknown;
  /** Until the next entry (or until `now` for the last entry of an unfinished job); absent at the end. */
  readonly durationMs?: number;
}

/**
 * The job's story from its document: created, started, every history event (claims, states entered
 * and left, checkpoints, rests, reviews, lease expiries, cancel and retry, in the order they
 * happened), the state it is in now, and the end. Each entry lasts until the next one.
 */
export function jobTimeline(job: JobDoc, now: number): TimelineEntry[] {
  const raw: Omit<TimelineEntry, "durationMs">[] = [{ at: job.createdAt, event: "created" }];
  if (job.startedAt !== null) raw.push({ at: job.startedAt, event: "started" });
  for (const h of job.history) {
    raw.push({
      at: h.at,
      event: h.type,
      ...(h.state !== undefined ? { state: h.state } : {}),
      ...(h.detail !== undefined ? { detail: h.detail } : {}),
    });
  }
  const current = currentState(job);
  const terminal = job.finishedAt !== null;
  if (current?.enteredAt !== undefined && !terminal) {
    const recorded = raw.some((e) => e.state === current.state && e.at === current.enteredAt);
    if (!recorded) raw.push({ at: current.enteredAt, event: "state_entered", state: current.state });
  }
  if (job.finishedAt !== null) {
    raw.push({
      at: job.finishedAt,
      event: job.status,
      ...(job.error !== null ? { detail: { error: job.error, cause: job.cause } } : {}),
    });
  }
  // Stable by time: events written in one batch keep their order.
  const sorted = raw.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  return sorted.map(({ e }, k) => {
    const next = sorted[k + 1]?.e.at ?? (terminal ? undefined : now);
    return next === undefined ? e : { ...e, durationMs: next - e.at };
  });
}

export function timelineCells(e: TimelineEntry): string[] {
  return [
    new Date(e.at).toISOString(),
    e.event,
    e.state ?? "",
    e.durationMs === undefined ? "" : formatDuration(e.durationMs),
    e.detail === undefined ? "" : JSON.stringify(e.detail),
  ];
}

export const TIMELINE_HEADERS = ["AT", "EVENT", "STATE", "FOR", "DETAIL"];

/** The id of the job's trace (ADR 0027), to look it up in a tracing backend; undefined: not traced. */
export function jobTraceId(job: Pick<JobDoc, "trace">): string | undefined {
  return job.trace === undefined ? undefined : traceIdOf(job.trace);
}

/** The line `jobs timeline` prints above its table for a traced job. */
export function traceLine(job: Pick<JobDoc, "trace">): string | undefined {
  const id = jobTraceId(job);
  return id === undefined ? undefined : `trace ${id}`;
}

/**
 * `sluice jobs logs`: what the document records about the runs: attempts, the error and cause, the
 * review waiting or decided, the lease, and every history event that is not a plain state change.
 */
export function jobLogLines(job: JobDoc): string[] {
  const lines = [
    `job ${job._id} (${job.workflow.name} ${job.workflow.version}) of tenant ${job.tenantId}: ${job.status}`,
    `attempts: ${job.attempts} claim(s), ${job.attemptsWithoutProgress ?? 0} without progress`,
  ];
  if (job.lease !== null) lines.push(`lease: held by ${job.lease.owner} until ${iso(job.lease.expiresAt)}`);
  if (job.wakeAt !== null) lines.push(`resting until ${iso(job.wakeAt)}`);
  if (job.review !== null) {
    lines.push(`review: waiting in ${job.review.stateName} since ${iso(job.review.requestedAt)}`);
  }
  if (job.error !== null) lines.push(`error: ${job.error}`);
  if (job.cause !== null) lines.push(`cause: ${job.cause}`);
  for (const h of job.history) {
    if (h.type === "state_entered" || h.type === "state_exited") continue;
    const detail = h.detail === undefined ? "" : ` ${JSON.stringify(h.detail)}`;
    lines.push(`${iso(h.at)}  ${h.type}${h.state !== undefined ? ` [${h.state}]` : ""}${detail}`);
  }
  return lines;
}
