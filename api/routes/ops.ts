/**
 * The operators' routes (`/v1/ops/*`): what the console shows and does, for every tenant. Each needs a
 * token with the `sluice/operator` scope (no tenant claim); each operation on one tenant's data goes
 * through that tenant's scoped stores (the same job operations as the tenants' API), and every change
 * is in the audit trail under the operator's subject.
 */
import { z } from "zod";
import { JobStatusSchema } from "../../shared/jobs/job-doc.ts";
import { TenantIdSchema, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { OperatorPrincipal } from "../auth/principal.ts";
import type { RouteModule, RouteRegistrar } from "../http/route.ts";
import { cancel, retry, review } from "../jobs/job-actions.ts";
import { getJob, loadJob } from "../jobs/job-view.ts";
import { listJobs } from "../jobs/list-jobs.ts";
import type { OpsDeps } from "../ops/ops-deps.ts";
import { editTenantQuota, tenantsOverview } from "../ops/ops-tenants.ts";
import { deadLetters, fleetView, jobGraph, pendingReviews, redriveDeadLetters } from "../ops/ops-views.ts";

const OP = "sluice/operator" as const;
const Any = z.unknown();
const Json = z.record(z.string(), z.unknown());
const TenantParams = z.object({ tenant: TenantIdSchema });
const JobParams = z.object({ tenant: TenantIdSchema, id: z.string().min(1).max(64) });

/** The job operations already answer in the API's error model (ApiError). */
const mapped = <T>(work: Promise<T>): Promise<T> => work;

/** The tenant's principal for the job operations, acting as the operator (the audit actor). */
const as = (tenant: TenantId, op: OperatorPrincipal) => ({ tenantId: tenant, subject: op.subject });

async function tenantIds(deps: OpsDeps): Promise<TenantId[]> {
  const docs = await deps.tenants.find({}, { projection: { tenantId: 1 } }).toArray();
  const ids = docs.flatMap((d) => {
    const t = TenantIdSchema.safeParse(d["tenantId"] ?? d["_id"]);
    return t.success ? [t.data] : [];
  });
  return [...new Set(ids)].sort();
}

export function opsRoutes(deps: OpsDeps): RouteModule {
  return (routes: RouteRegistrar) => {
    const tags = ["operators"];
    routes.add({
      method: "GET",
      path: "/v1/ops/tenants",
      operationId: "opsTenants",
      summary:
        "Every tenant: quota, status, tier, running / cap, backlog, released/s, throttling, share vs fair share",
      tags,
      scope: OP,
      response: { status: 200, description: "The tenants", schema: Json },
      handler: async () => ({ body: await tenantsOverview(deps) }),
    });
    routes.add({
      method: "PATCH",
      path: "/v1/ops/tenants/{tenant}/quota",
      operationId: "opsEditQuota",
      summary: "Edit a tenant's quota (validated; compare-and-set; audited)",
      tags,
      scope: OP,
      params: TenantParams,
      body: z.object({ changes: z.record(z.string(), z.json()) }),
      response: { status: 200, description: "Saved: the new version and the audit entry", schema: Json },
      errors: ["conflict"],
      handler: async ({ params, body, operator }) => ({
        body: await editTenantQuota(deps, operator, params.tenant, body.changes),
      }),
    });
    routes.add({
      method: "GET",
      path: "/v1/ops/tenants/{tenant}/audit",
      operationId: "opsAudit",
      summary: "A tenant's audit trail, newest first",
      tags,
      scope: OP,
      params: TenantParams,
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }),
      response: { status: 200, description: "Audit entries", schema: Json },
      handler: async ({ params, query }) => ({
        body: { entries: await deps.audit.list(params.tenant, { limit: query.limit ?? 50 }) },
      }),
    });
    routes.add({
      method: "GET",
      path: "/v1/ops/tenants/{tenant}/jobs",
      operationId: "opsListJobs",
      summary: "A tenant's jobs, newest first, by status, workflow and time",
      tags,
      scope: OP,
      params: TenantParams,
      query: z.object({
        status: JobStatusSchema.optional(),
        workflow: z.string().min(1).max(64).optional(),
        since: z.iso.datetime({ offset: true }).optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
        cursor: z.string().max(2000).optional(),
      }),
      response: { status: 200, description: "A page of jobs", schema: Json },
      handler: async ({ params, query, operator }) => ({
        body: (await mapped(
          listJobs(deps.jobs, as(params.tenant, operator), {
            ...(query.status !== undefined ? { status: query.status } : {}),
            ...(query.workflow !== undefined ? { workflow: query.workflow } : {}),
            ...(query.since !== undefined ? { since: Date.parse(query.since) } : {}),
            ...(query.limit !== undefined ? { limit: query.limit } : {}),
            ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
          }),
        )) as Record<string, unknown>,
      }),
    });
    routes.add({
      method: "GET",
      path: "/v1/ops/tenants/{tenant}/jobs/{id}",
      operationId: "opsGetJob",
      summary: "A job: status, timeline, error, and its workflow graph with the path taken",
      tags,
      scope: OP,
      params: JobParams,
      response: { status: 200, description: "The job and its graph", schema: Json },
      handler: async ({ params, operator }) => {
        const job = await mapped(getJob(deps.jobs, as(params.tenant, operator), params.id));
        const graph = await mapped(jobGraph(deps, params.tenant, params.id));
        return { body: { job, graph } };
      },
    });
    routes.add({
      method: "GET",
      path: "/v1/ops/tenants/{tenant}/jobs/{id}/payload",
      operationId: "opsJobPayload",
      summary: "A job's input or output, fetched on demand (claim-checked payloads read from S3)",
      tags,
      scope: OP,
      params: JobParams,
      query: z.object({ which: z.enum(["input", "output"]) }),
      response: { status: 200, description: "The payload", schema: z.object({ value: Any }) },
      handler: async ({ params, query, operator }) => {
        const job = await mapped(loadJob(deps.jobs, as(params.tenant, operator), params.id));
        const payload = query.which === "input" ? job.input : job.output;
        if (payload === null || payload === undefined) return { body: { value: null } };
        return { body: { value: await deps.jobs.payloads.load(params.tenant, payload) } };
      },
    });
    for (const action of ["cancel", "retry"] as const) {
      routes.add({
        method: "POST",
        path: `/v1/ops/tenants/{tenant}/jobs/{id}/${action}`,
        operationId: action === "cancel" ? "opsCancelJob" : "opsRetryJob",
        summary: action === "cancel" ? "Cancel a job (audited)" : "Retry a failed or cancelled job (audited)",
        tags,
        scope: OP,
        params: JobParams,
        body: z
          .object({
            from: z.enum(["checkpoint", "start"]).optional(),
            reason: z.string().max(500).optional(),
          })
          .optional(),
        response: { status: 200, description: "The job after the action", schema: Json },
        handler: async ({ params, body, operator }) => {
          const principal = as(params.tenant, operator);
          const job =
            action === "cancel"
              ? await mapped(cancel(deps.jobs, deps.actions, principal, params.id, body?.reason))
              : await mapped(
                  retry(deps.jobs, deps.actions, principal, params.id, body?.from ?? "checkpoint"),
                );
          return { body: { jobId: job._id, status: job.status, version: job.version } };
        },
      });
    }
    routes.add({
      method: "GET",
      path: "/v1/ops/reviews",
      operationId: "opsReviews",
      summary: "Jobs waiting for a human decision, per tenant, with the data to decide on",
      tags,
      scope: OP,
      response: { status: 200, description: "Pending reviews", schema: Json },
      handler: async () => ({ body: { reviews: await pendingReviews(deps, await tenantIds(deps)) } }),
    });
    routes.add({
      method: "POST",
      path: "/v1/ops/tenants/{tenant}/jobs/{id}/review",
      operationId: "opsReview",
      summary:
        "Approve (with output) or reject (with error and cause) a job waiting for review; recorded with the operator's identity",
      tags,
      scope: OP,
      params: JobParams,
      body: z.discriminatedUnion("decision", [
        z.object({ decision: z.literal("approve"), output: z.json() }),
        z.object({
          decision: z.literal("reject"),
          error: z.string().min(1).max(256),
          cause: z.string().max(32_768),
        }),
      ]),
      response: { status: 200, description: "The job after the decision", schema: Json },
      handler: async ({ params, body, operator }) => {
        const job = await mapped(
          review(deps.jobs, deps.actions, as(params.tenant, operator), params.id, body),
        );
        return { body: { jobId: job._id, status: job.status, version: job.version } };
      },
    });
    routes.add({
      method: "GET",
      path: "/v1/ops/dlq",
      operationId: "opsDeadLetters",
      summary:
        "Dead-letter queues (work and every tenant's intake) with each message's reason; peeked, never consumed",
      tags,
      scope: OP,
      response: { status: 200, description: "Dead letters per queue", schema: Json },
      handler: async () => ({ body: { queues: await deadLetters(deps, await tenantIds(deps)) } }),
    });
    routes.add({
      method: "POST",
      path: "/v1/ops/dlq/{queue}/redrive",
      operationId: "opsRedrive",
      summary: "Move one dead letter (messageId) or all of a queue back to its source queue",
      tags,
      scope: OP,
      params: z.object({ queue: z.string().min(1).max(80) }),
      body: z.object({ messageId: z.string().min(1).max(100).optional() }).optional(),
      response: { status: 200, description: "What was moved", schema: Json },
      handler: async ({ params, body }) => ({
        body: { ...(await redriveDeadLetters(deps, params.queue, await tenantIds(deps), body?.messageId)) },
      }),
    });
    routes.add({
      method: "GET",
      path: "/v1/ops/fleet",
      operationId: "opsFleet",
      summary:
        "Workers, sweepers, scheduler and API replicas: slots, busy, health, tenants owned, last heartbeat",
      tags,
      scope: OP,
      response: { status: 200, description: "The fleet", schema: Json },
      handler: async () => ({ body: await fleetView(deps) }),
    });
  };
}
