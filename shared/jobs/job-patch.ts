/**
 * Validation and completion of the patches the CAS store writes (see job-store.ts).
 *
 * A patch is validated field by field with the document schema; the engine's execution state only
 * for its shape (a JSON object or null): it is produced by our engine, opaque here and can be large,
 * so it is not walked on every checkpoint. S3 keys must lie under the tenant's prefix.
 */
import { TenantScopeError } from "../tenancy/scoped-collection.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import { JOB_PATCH_FIELDS, foreignS3Keys, payloadFields } from "./job-doc.ts";
import type { JobPatch } from "./job-doc.ts";
import { isTerminal } from "./transitions.ts";

/** A patch that fails the job document schema. Never retryable. */
export class InvalidJobPatchError extends Error {
  readonly code = "invalid_job_patch" as const;
  readonly retryable = false as const;
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(`invalid job patch: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    this.name = "InvalidJobPatchError";
  }
}

export const withoutUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates a patch field by field against the job document schema. The execution state is checked
 * for its shape only (a JSON object, or null): it is produced by the engine, opaque here, and can be
 * large, so it is not walked on every checkpoint. Every other field (status, lease, payloads, error
 * text, review data...) is parsed with its zod schema.
 */
export function validatePatch(tenantId: TenantId, patch: JobPatch): JobPatch {
  const issues: { path: string; message: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const key in patch) {
    const value: unknown = patch[key as keyof JobPatch];
    if (value === undefined) continue;
    const schema = Object.hasOwn(JOB_PATCH_FIELDS, key) ? JOB_PATCH_FIELDS[key] : undefined;
    if (schema === undefined) {
      issues.push({ path: key, message: "not a field a patch may set" });
    } else if (key === "execution") {
      if (value === null || isPlainObject(value)) out[key] = value;
      else issues.push({ path: key, message: "expected an object or null" });
    } else {
      const parsed = schema.safeParse(value);
      if (parsed.success) out[key] = parsed.data;
      else
        for (const i of parsed.error.issues)
          issues.push({ path: [key, ...i.path].join("."), message: i.message });
    }
  }
  if (issues.length > 0) throw new InvalidJobPatchError(issues);
  const d = out as JobPatch;
  const foreign = foreignS3Keys(tenantId, payloadFields(d));
  if (foreign.length > 0) {
    throw new TenantScopeError(`S3 keys of ${foreign.join(", ")} are outside tenants/${tenantId}/`);
  }
  return d;
}

/**
 * Completes a patch with what a status change implies: leaving `running` drops the lease and a
 * terminal status stamps `finishedAt`, unless the patch says otherwise.
 */
export function impliedFields(patch: JobPatch, now: number): JobPatch {
  const out: JobPatch = { ...patch };
  if (patch.status !== undefined && patch.status !== "running" && !("lease" in patch)) out.lease = null;
  if (patch.status !== undefined && isTerminal(patch.status) && !("finishedAt" in patch))
    out.finishedAt = now;
  return out;
}
