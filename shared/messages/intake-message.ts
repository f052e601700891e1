import { z } from "zod";
import { TenantIdSchema } from "../tenancy/tenant-id.ts";
import { parseJsonBody } from "./parse-body.ts";

/** Largest inline `input` accepted on an intake message; bigger inputs travel as an S3 reference. */
export const MAX_INLINE_INPUT_BYTES = 200 * 1024;

export const PrioritySchema = z.enum(["high", "normal", "low"]);
export type Priority = z.infer<typeof PrioritySchema>;

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
  const parsed = parseJsonBody(body, IntakeMessageSchema, "message");
  if (!parsed.ok) return parsed;
  const message = parsed.value;
  if (message.tenantId !== queueTenant) {
    return {
      ok: false,
      reason: `wrong tenant: message names "${message.tenantId}" but arrived on the intake queue of "${queueTenant}"`,
    };
  }
  if (message.input !== undefined) {
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
