import { z } from "zod";
import { TenantIdSchema } from "../tenancy/tenant-id.ts";
import { parseJsonBody, validateJson, type BodyParseResult } from "./parse-body.ts";
import { JobIdSchema } from "../jobs/job-doc.ts";
import { isKeyedJobId } from "../jobs/job-id.ts";

/** Largest inline `input` accepted on an intake message; bigger inputs travel as an S3 reference. */
export const MAX_INLINE_INPUT_BYTES = 200 * 1024;
/**
 * Deepest nesting of arrays and objects accepted in an inline `input`. MongoDB stores documents up to
 * 100 levels (the input sits three levels down in a job), and deeper JSON overflows the call stack of
 * every recursive reader (`JSON.stringify` throws `RangeError` near 5,000 levels).
 */
export const MAX_INPUT_DEPTH = 64;

export const PrioritySchema = z.enum(["high", "normal", "low"]);
export type Priority = z.infer<typeof PrioritySchema>;
/** A job's `priority` field for each message priority (higher runs first among a tenant's jobs). */
export const PRIORITY_RANK = { high: 2, normal: 1, low: 0 } as const;

const WorkflowNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, "workflow must name a file statemachines/<name>.asl.json");

/**
 * What upstream systems drop on a tenant's intake queue. Either `input` (inline JSON) or `inputRef`
 * (a key under the tenant's S3 prefix, for payloads above the SQS limit) — never both.
 */
export const IntakeMessageSchema = z
  .object({
    tenantId: TenantIdSchema,
    workflow: WorkflowNameSchema,
    idempotencyKey: z.string().min(1).max(200),
    input: z.unknown().optional(),
    inputRef: z.object({ key: z.string().min(1) }).optional(),
    priority: PrioritySchema.optional(),
    /**
     * The id the job is created with, chosen by the submitter (the API, ADR 0019). Accepted only when
     * it is the `keyedJobId` of this tenant and `idempotencyKey`; absent, the release picks one.
     */
    jobId: JobIdSchema.optional(),
  })
  .strict()
  .refine((m) => !(m.input !== undefined && m.inputRef !== undefined), {
    message: "give either input or inputRef, not both",
    path: ["inputRef"],
  });

export type IntakeMessage = z.infer<typeof IntakeMessageSchema>;

export type IntakeParseResult = { ok: true; message: IntakeMessage } | { ok: false; reason: string };

/**
 * Parses an SQS body into an intake message. Never throws: malformed JSON, missing or invalid
 * fields and a tenant that does not own the queue all come back as a precise one-line reason,
 * which the caller attaches to the dead-letter copy of the message.
 */
export function parseIntakeMessage(body: string, queueTenant: string): IntakeParseResult {
  return judgeIntake(parseJsonBody(body, IntakeMessageSchema, "message"), queueTenant);
}

/**
 * `parseIntakeMessage` for a message that is already a JSON value (the API's request, built from a
 * parsed body): the same checks and reasons, without a serialise-and-parse round trip.
 */
export function checkIntakeMessage(raw: unknown, queueTenant: string): IntakeParseResult {
  return judgeIntake(validateJson(raw, IntakeMessageSchema, "message"), queueTenant);
}

function judgeIntake(parsed: BodyParseResult<IntakeMessage>, queueTenant: string): IntakeParseResult {
  if (!parsed.ok) return parsed;
  const message = parsed.value;
  if (message.tenantId !== queueTenant) {
    return {
      ok: false,
      reason: `wrong tenant: message names "${message.tenantId}" but arrived on the intake queue of "${queueTenant}"`,
    };
  }
  if (message.jobId !== undefined && !isKeyedJobId(message.jobId, queueTenant, message.idempotencyKey)) {
    return {
      ok: false,
      reason: `invalid jobId: ${JSON.stringify(message.jobId)} is not the id of this tenant's idempotencyKey`,
    };
  }
  if (message.input !== undefined) {
    if (deeperThan(message.input, MAX_INPUT_DEPTH)) {
      return {
        ok: false,
        reason: `input too deeply nested: more than ${MAX_INPUT_DEPTH} levels of arrays and objects`,
      };
    }
    const bytes = Buffer.byteLength(JSON.stringify(message.input));
    if (bytes > MAX_INLINE_INPUT_BYTES) {
      return {
        ok: false,
        reason: `input too large: ${bytes} bytes inline (limit ${MAX_INLINE_INPUT_BYTES}); upload it under the tenant prefix and send inputRef`,
      };
    }
  }
  return { ok: true, message };
}

/** True when `value` nests arrays/objects more than `limit` levels deep. Iterative: never overflows. */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (v === null || typeof v !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>))
      stack.push({ v: child, depth: depth + 1 });
  }
  return false;
}
