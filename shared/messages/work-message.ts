import { z } from "zod";
import { JobIdSchema } from "../jobs/job-doc.ts";
import { TenantIdSchema } from "../tenancy/tenant-id.ts";
import { jsonOrUndefined, parseJsonBody } from "./parse-body.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import type { SqsPort } from "../aws/sqs-port.ts";
import { traceAttributes, type TraceContext } from "../tracing/trace-context.ts";

/** What the scheduler (and the sweeper) put on the shared work queue: a pointer to a job document. */
export const WorkMessageSchema = z
  .object({
    tenantId: TenantIdSchema,
    jobId: JobIdSchema,
  })
  .strict();

export type WorkMessage = z.infer<typeof WorkMessageSchema>;

export type WorkParseResult = { ok: true; message: WorkMessage } | { ok: false; reason: string };

export function parseWorkMessage(body: string): WorkParseResult {
  const r = parseJsonBody(body, WorkMessageSchema, "work message");
  return r.ok ? { ok: true, message: r.value } : r;
}

/**
 * For a body that failed `parseWorkMessage`: the job it names, when its `tenantId` and `jobId` are
 * valid on their own (other fields bad), so the rejection can be recorded on that job.
 */
export function workMessageJobHint(body: string): { tenantId: TenantId; jobId: string } | undefined {
  const raw = jsonOrUndefined(body);
  if (raw === null || typeof raw !== "object") return undefined;
  const r = raw as Record<string, unknown>;
  const tenant = TenantIdSchema.safeParse(r.tenantId);
  const job = JobIdSchema.safeParse(r.jobId);
  return tenant.success && job.success ? { tenantId: tenant.data, jobId: job.data } : undefined;
}

/**
 * Sends the work message of `work` (the one place a work message body is written). `trace`: the job's
 * trace context, carried in the `traceparent` / `tracestate` message attributes (ADR 0027).
 */
export async function sendWorkMessage(
  sqs: Pick<SqsPort, "send">,
  queueUrl: string,
  work: WorkMessage,
  options: { delaySeconds?: number; trace?: TraceContext | undefined } = {},
): Promise<void> {
  const body: WorkMessage = { tenantId: work.tenantId, jobId: work.jobId };
  await sqs.send(queueUrl, {
    body: JSON.stringify(body),
    ...(options.trace !== undefined ? { attributes: traceAttributes(options.trace) } : {}),
    ...(options.delaySeconds !== undefined ? { delaySeconds: options.delaySeconds } : {}),
  });
}
