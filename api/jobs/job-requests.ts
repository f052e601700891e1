/**
 * The zod schemas of the job endpoints' requests and responses (the routes validate with them and
 * the OpenAPI document is generated from them).
 */
import { z } from "zod";
import { JOB_STATUSES } from "../../shared/jobs/job-doc.ts";
import { PrioritySchema } from "../../shared/messages/intake-message.ts";
import { MAX_LIST_LIMIT } from "./list-jobs.ts";

export const JobIdParamsSchema = z.strictObject({ id: z.string().min(1).max(128) });

export const SubmitBodySchema = z.strictObject({
  workflow: z.string().min(1).max(64),
  /** Inline JSON input (up to 200 KiB). */
  input: z.unknown().optional(),
  /** An upload of this tenant (`POST /v1/uploads`), instead of `input`. */
  inputRef: z.strictObject({ key: z.string().min(1).max(1024) }).optional(),
  priority: PrioritySchema.optional(),
});

export const SubmitResponseSchema = z.object({ jobId: z.string(), status: z.enum(JOB_STATUSES) });

/** `since`: an ISO 8601 time with offset, or epoch milliseconds. */
const SinceSchema = z.union([
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
]);

export const ListQuerySchema = z.strictObject({
  status: z.enum(JOB_STATUSES).optional(),
  workflow: z.string().min(1).max(64).optional(),
  since: SinceSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
  cursor: z.string().min(1).max(512).optional(),
});

export const CancelBodySchema = z.strictObject({ reason: z.string().min(1).max(2000).optional() });

export const RetryBodySchema = z.strictObject({ from: z.enum(["checkpoint", "start"]).optional() });

export const ReviewBodySchema = z.discriminatedUnion("decision", [
  z.strictObject({ decision: z.literal("approve"), output: z.unknown() }),
  z.strictObject({
    decision: z.literal("reject"),
    error: z.string().min(1).max(256),
    cause: z.string().max(32_768),
  }),
]);

export const UploadBodySchema = z.strictObject({
  bytes: z.int().min(1),
  contentType: z.string().min(1).max(200).optional(),
  filename: z.string().min(1).max(255).optional(),
});

const Iso = z.string();
const JobSummarySchema = z.object({
  jobId: z.string(),
  status: z.enum(JOB_STATUSES),
  workflow: z.object({ name: z.string(), version: z.string() }),
  priority: z.enum(["high", "normal", "low"]),
  idempotencyKey: z.string(),
  createdAt: Iso,
  updatedAt: Iso,
  startedAt: Iso.nullable(),
  finishedAt: Iso.nullable(),
  awaitingRelease: z.boolean(),
  error: z.string().nullable(),
  cause: z.string().nullable(),
});

export const JobViewSchema = JobSummarySchema.extend({
  attempts: z.int(),
  output: z
    .object({
      inline: z.unknown().optional(),
      ref: z.object({ url: z.string(), bytes: z.int(), expiresAt: Iso }).optional(),
    })
    .nullable(),
  review: z.object({ stateName: z.string(), requestedAt: Iso }).nullable(),
  currentStates: z.array(z.object({ state: z.string(), enteredAt: Iso.nullable() })),
  timeline: z.array(
    z.object({ at: Iso, type: z.string(), state: z.string().optional(), detail: z.unknown().optional() }),
  ),
});

export const JobListSchema = z.object({ jobs: z.array(JobSummarySchema), nextCursor: z.string().nullable() });

export const UploadResponseSchema = z.object({
  inputRef: z.object({ key: z.string() }),
  url: z.string(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()),
  expiresAt: Iso,
  maxBytes: z.int(),
});

export const WorkflowListSchema = z.object({
  workflows: z.array(z.object({ name: z.string(), version: z.string() })),
});
