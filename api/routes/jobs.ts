/**
 * The job endpoints (`/v1/jobs`, `/v1/uploads`, `/v1/workflows`): each validates with the schemas of
 * api/jobs/job-requests.ts and calls the operation of api/jobs/ for the token's tenant.
 */
import { traceFromCarrier } from "../../shared/tracing/trace-context.ts";
import { z } from "zod";
import type { RouteModule } from "../http/route.ts";
import { cancel, retry, review, type JobActionDeps } from "../jobs/job-actions.ts";
import {
  CancelBodySchema,
  JobIdParamsSchema,
  JobListSchema,
  JobViewSchema,
  ListQuerySchema,
  RetryBodySchema,
  ReviewBodySchema,
  SubmitBodySchema,
  SubmitResponseSchema,
  UploadBodySchema,
  UploadResponseSchema,
  WorkflowListSchema,
} from "../jobs/job-requests.ts";
import { getJob } from "../jobs/job-view.ts";
import type { JobsApiDeps } from "../jobs/jobs-deps.ts";
import { listJobs } from "../jobs/list-jobs.ts";
import { submitJob } from "../jobs/submit.ts";
import { createUpload } from "../jobs/uploads.ts";
import { listWorkflows } from "../jobs/workflows.ts";

const IdempotencyHeaders = z.object({ "idempotency-key": z.string().optional() });
/** A submission's headers: its idempotency key and the caller's W3C trace context, if any. */
const SubmitHeaders = IdempotencyHeaders.extend({
  traceparent: z.string().optional(),
  tracestate: z.string().optional(),
});
const tags = ["jobs"];

export function jobRoutes(deps: JobsApiDeps, actions: JobActionDeps): RouteModule {
  return (routes) => {
    routes.add({
      method: "POST",
      path: "/v1/jobs",
      operationId: "submitJob",
      summary: "Submit a job (through the intake path; `Idempotency-Key` required)",
      tags,
      scope: "sluice/submit",
      headers: SubmitHeaders,
      body: SubmitBodySchema,
      response: {
        status: 202,
        description: "The job, created (or found for this key and body)",
        schema: SubmitResponseSchema,
        alsoStatuses: { 200: "The key's job already existed with this body" },
        headers: { Location: "/v1/jobs/<jobId>" },
      },
      errors: [
        "idempotency_key_required",
        "invalid_idempotency_key",
        "idempotency_conflict",
        "unknown_workflow",
        "invalid_workflow",
        "input_not_found",
        "input_too_large",
        "queue_full",
      ],
      handler: async ({ principal, headers, body }) => {
        const { created, job } = await submitJob(
          deps,
          principal,
          body,
          headers["idempotency-key"],
          traceFromCarrier(headers),
        );
        return {
          status: created ? 202 : 200,
          headers: { location: `/v1/jobs/${job._id}` },
          body: { jobId: job._id, status: job.status },
        };
      },
    });

    routes.add({
      method: "GET",
      path: "/v1/jobs",
      operationId: "listJobs",
      summary: "The tenant's jobs, newest first (cursor pagination)",
      tags,
      scope: "sluice/read",
      query: ListQuerySchema,
      response: { status: 200, description: "A page of jobs", schema: JobListSchema },
      errors: ["invalid_cursor"],
      handler: async ({ principal, query }) => ({ body: await listJobs(deps, principal, query) }),
    });

    routes.add({
      method: "GET",
      path: "/v1/jobs/{id}",
      operationId: "getJob",
      summary: "A job: status, output, error, timestamps, timeline",
      tags,
      scope: "sluice/read",
      params: JobIdParamsSchema,
      response: { status: 200, description: "The job", schema: JobViewSchema },
      errors: ["job_not_found"],
      handler: async ({ principal, params }) => ({ body: await getJob(deps, principal, params.id) }),
    });

    routes.add({
      method: "POST",
      path: "/v1/jobs/{id}/cancel",
      operationId: "cancelJob",
      summary: "Cancel a job that has not finished",
      tags,
      scope: "sluice/submit",
      params: JobIdParamsSchema,
      body: CancelBodySchema.optional(),
      response: { status: 200, description: "The job, cancelled", schema: SubmitResponseSchema },
      errors: ["job_not_found", "invalid_state", "contended"],
      handler: async ({ principal, params, body }) => {
        const job = await cancel(deps, actions, principal, params.id, body?.reason);
        return { body: { jobId: job._id, status: job.status } };
      },
    });

    routes.add({
      method: "POST",
      path: "/v1/jobs/{id}/retry",
      operationId: "retryJob",
      summary: "Run a failed or cancelled job again (from its last checkpoint, or from the start)",
      tags,
      scope: "sluice/submit",
      params: JobIdParamsSchema,
      body: RetryBodySchema.optional(),
      response: { status: 200, description: "The job, queued again", schema: SubmitResponseSchema },
      errors: ["job_not_found", "invalid_state", "contended", "tenant_at_capacity"],
      handler: async ({ principal, params, body }) => {
        const job = await retry(deps, actions, principal, params.id, body?.from ?? "checkpoint");
        return { body: { jobId: job._id, status: job.status } };
      },
    });

    routes.add({
      method: "POST",
      path: "/v1/jobs/{id}/review",
      operationId: "reviewJob",
      summary: "Decide a job waiting for review: approve with an output, or reject with error and cause",
      tags,
      scope: "sluice/review",
      params: JobIdParamsSchema,
      body: ReviewBodySchema,
      response: { status: 200, description: "The job after the decision", schema: SubmitResponseSchema },
      errors: ["job_not_found", "invalid_state", "contended"],
      handler: async ({ principal, params, body }) => {
        const job = await review(deps, actions, principal, params.id, body);
        return { body: { jobId: job._id, status: job.status } };
      },
    });

    routes.add({
      method: "POST",
      path: "/v1/uploads",
      operationId: "createUpload",
      summary: "A presigned PUT for one new object under the tenant's prefix (usable as inputRef)",
      tags,
      scope: "sluice/submit",
      body: UploadBodySchema,
      response: { status: 201, description: "Where and how to PUT the bytes", schema: UploadResponseSchema },
      errors: ["upload_too_large"],
      handler: async ({ principal, body }) => ({ body: await createUpload(deps, principal, body) }),
    });

    routes.add({
      method: "GET",
      path: "/v1/workflows",
      operationId: "listWorkflows",
      summary: "The workflows this tenant may run, with the version new jobs get",
      tags: ["workflows"],
      scope: "sluice/read",
      response: { status: 200, description: "The workflows", schema: WorkflowListSchema },
      handler: async () => ({ body: listWorkflows(deps) }),
    });
  };
}
