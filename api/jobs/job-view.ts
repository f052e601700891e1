/**
 * `GET /v1/jobs/{id}`: what a tenant sees of its job. An id of another tenant's job, a malformed id
 * and an id nobody has all take the same path (the tenant-scoped read) to the same `job_not_found`.
 */
import type { JobDoc, Payload } from "../../shared/jobs/job-doc.ts";
import { JobIdSchema } from "../../shared/jobs/job-doc.ts";
import { refOf } from "../../shared/payloads/payload-ref.ts";
import { assertKeyBelongsToTenant } from "../../shared/tenancy/keys.ts";
import type { JobsApiDeps, JobsPrincipal } from "./jobs-deps.ts";
import { jobNotFound } from "./jobs-error.ts";

export type PriorityName = "high" | "normal" | "low";

export interface TimelineEntry {
  readonly at: string;
  /** `created`, then the job's history (`claimed`, `review_requested`, `cancelled`...), then `finished`. */
  readonly type: string;
  readonly state?: string;
  readonly detail?: unknown;
}

export interface OutputView {
  /** The output itself, when it is small enough to live in the job document. */
  readonly inline?: unknown;
  /** A short-lived presigned GET of the stored output (claim-checked). */
  readonly ref?: { readonly url: string; readonly bytes: number; readonly expiresAt: string };
}

export interface JobView {
  readonly jobId: string;
  readonly status: JobDoc["status"];
  readonly workflow: { readonly name: string; readonly version: string };
  readonly priority: PriorityName;
  readonly idempotencyKey: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly attempts: number;
  /** True while the job waits for the scheduler to release it (ADR 0019). */
  readonly awaitingRelease: boolean;
  readonly output: OutputView | null;
  readonly error: string | null;
  readonly cause: string | null;
  readonly review: { readonly stateName: string; readonly requestedAt: string } | null;
  /** The states being run now and when each was entered (from the stored execution). */
  readonly currentStates: { readonly state: string; readonly enteredAt: string | null }[];
  readonly timeline: TimelineEntry[];
}

/** The tenant's job, or `job_not_found`. */
export async function loadJob(deps: JobsApiDeps, principal: JobsPrincipal, jobId: string): Promise<JobDoc> {
  const id = JobIdSchema.safeParse(jobId);
  // A malformed id still reads (an id no job has), so every miss takes the same path.
  const job = await deps.jobsOf(principal.tenantId).get(id.success ? id.data : "-invalid-id-");
  if (job === null || job.tenantId !== principal.tenantId) throw jobNotFound(jobId);
  return job;
}

export async function getJob(deps: JobsApiDeps, principal: JobsPrincipal, jobId: string): Promise<JobView> {
  const job = await loadJob(deps, principal, jobId);
  return {
    ...jobSummary(job),
    attempts: job.attempts,
    output: await outputView(deps, principal, job.output),
    review:
      job.review === null
        ? null
        : { stateName: job.review.stateName, requestedAt: iso(job.review.requestedAt) },
    currentStates: currentStates(job.execution),
    timeline: timeline(job),
  };
}

/** The fields of a job a list shows. */
export function jobSummary(job: JobDoc) {
  return {
    jobId: job._id,
    status: job.status,
    workflow: { name: job.workflow.name, version: job.workflow.version },
    priority: priorityName(job.priority),
    idempotencyKey: job.idempotencyKey,
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    startedAt: job.startedAt === null ? null : iso(job.startedAt),
    finishedAt: job.finishedAt === null ? null : iso(job.finishedAt),
    awaitingRelease: job.awaitingRelease === true,
    error: job.error,
    cause: job.cause,
  };
}

async function outputView(
  deps: JobsApiDeps,
  principal: JobsPrincipal,
  output: Payload | null,
): Promise<OutputView | null> {
  if (output === null) return null;
  const ref = refOf(output);
  if (ref === null) return { inline: "inline" in output ? output.inline : null };
  const key = assertKeyBelongsToTenant(ref.key, principal.tenantId);
  const ttl = deps.settings.urlTtlSeconds;
  const url = await deps.blobs.presignGet(principal.tenantId, key, { expiresInSeconds: ttl });
  return { ref: { url, bytes: ref.bytes, expiresAt: iso(deps.now() + ttl * 1000) } };
}

function timeline(job: JobDoc): TimelineEntry[] {
  const out: TimelineEntry[] = [{ at: iso(job.createdAt), type: "created" }];
  for (const e of job.history) {
    out.push({
      at: iso(e.at),
      type: e.type,
      ...(e.state !== undefined ? { state: e.state } : {}),
      ...(e.detail !== undefined ? { detail: e.detail } : {}),
    });
  }
  if (job.finishedAt !== null) out.push({ at: iso(job.finishedAt), type: job.status });
  return out;
}

/** The frames of the stored execution that are in a state now (a Parallel/Map's active children too). */
function currentStates(
  execution: Record<string, unknown> | null,
): { state: string; enteredAt: string | null }[] {
  const out: { state: string; enteredAt: string | null }[] = [];
  const visit = (frame: unknown, depth: number) => {
    if (frame === null || typeof frame !== "object" || depth > 32 || out.length >= 50) return;
    const f = frame as { s?: unknown; at?: unknown; act?: unknown; ph?: unknown };
    if (typeof f.s === "string" && f.ph !== "done")
      out.push({ state: f.s, enteredAt: typeof f.at === "number" ? iso(f.at) : null });
    if (Array.isArray(f.act)) for (const child of f.act) visit(child, depth + 1);
  };
  if (execution !== null && execution["end"] === undefined) visit(execution["root"], 0);
  return out;
}

export function priorityName(priority: number): PriorityName {
  return priority >= 2 ? "high" : priority <= 0 ? "low" : "normal";
}

const iso = (ms: number) => new Date(ms).toISOString();
