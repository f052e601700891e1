/**
 * `GET /v1/jobs?status=&workflow=&since=&limit=&cursor=`: the tenant's jobs, newest first, a page at
 * a time. The next page starts strictly after the last job shown (`list-cursor.ts`), so jobs created
 * while a client pages (always newer) neither shift a page nor repeat one.
 */
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import type { JobsApiDeps, JobsPrincipal } from "./jobs-deps.ts";
import { jobSummary } from "./job-view.ts";
import { decodeCursor, encodeCursor } from "./list-cursor.ts";

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 200;

export interface ListRequest {
  readonly status?: JobDoc["status"];
  readonly workflow?: string;
  /** Epoch ms: jobs created at or after. */
  readonly since?: number;
  readonly limit?: number;
  readonly cursor?: string;
}

export async function listJobs(deps: JobsApiDeps, principal: JobsPrincipal, request: ListRequest) {
  const tenant = principal.tenantId;
  const secret = deps.settings.cursorSecret;
  const after = request.cursor !== undefined ? decodeCursor(secret, tenant, request.cursor) : undefined;
  const limit = Math.min(request.limit ?? DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
  const rows = await deps.jobsOf(tenant).listPage({
    ...(request.status !== undefined ? { status: request.status } : {}),
    ...(request.workflow !== undefined ? { workflow: request.workflow } : {}),
    ...(request.since !== undefined ? { since: request.since } : {}),
    ...(after !== undefined ? { after } : {}),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const more = rows.length > limit && last !== undefined;
  return {
    jobs: page.map(jobSummary),
    nextCursor: more ? encodeCursor(secret, tenant, { createdAt: last.createdAt, jobId: last._id }) : null,
  };
}
