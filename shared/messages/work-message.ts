import { z } from "zod";
import { JobIdSchema } from "../jobs/job-doc.ts";
import { TenantIdSchema } from "../tenancy/tenant-id.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";

/** What the scheduler (and the sweeper) put on the shared work queue: a pointer to a job document. */
export const WorkMessageSchema = z
  .object({
    tenantId: TenantIdSchema,
    jobId: z.string().min(1).max(100),
  })
  .strict();

export type WorkMessage = z.infer<typeof WorkMessageSchema>;

export type WorkParseResult = { ok: true; message: WorkMessage } | { ok: false; reason: string };

export function parseWorkMessage(body: string): WorkParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: `malformed JSON: ${(err as Error).message}` };
  }
  const parsed = WorkMessageSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `invalid work message: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}`,
    };
  }
  return { ok: true, message: parsed.data };
}

/**
 * For a body that failed `parseWorkMessage`: the job it names, when its `tenantId` and `jobId` are
 * valid on their own (other fields bad), so the rejection can be recorded on that job.
 */
export function workMessageJobHint(body: string): { tenantId: TenantId; jobId: string } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== "object") return undefined;
  const r = raw as Record<string, unknown>;
  const tenant = TenantIdSchema.safeParse(r.tenantId);
  const job = JobIdSchema.safeParse(r.jobId);
  return tenant.success && job.success ? { tenantId: tenant.data, jobId: job.data } : undefined;
}
