/**
 * The sections of a tenant document (collection `tenants`, one per `tenantId`) that workers read:
 * `steps.<stepName>` — settings a step gets as `ctx.settings` (e.g. `steps.review.minConfidence`) —
 * and `outbound.<provider>` — the tenant's outbound call limits. Both optional; validated with zod
 * on every read (the scheduler's quota schema embeds the same schemas).
 */
import { z } from "zod";
import { TenantOutboundSchema } from "../limits/outbound-limits.ts";

/** A step name as workflows name it (`activity:<step>`). */
export const StepNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, "step name must match ^[A-Za-z0-9_-]{1,80}$");

/** `steps`: step name → that step's settings (an object; each step validates its own fields). */
export const TenantStepSettingsSchema = z.record(StepNameSchema, z.record(z.string(), z.unknown()));
export type TenantStepSettings = z.infer<typeof TenantStepSettingsSchema>;

/** What a worker reads from a tenant document. Unknown fields (the quota) are ignored here. */
export const TenantWorkerSettingsSchema = z.object({
  steps: TenantStepSettingsSchema.nullish().transform((v) => v ?? {}),
  outbound: TenantOutboundSchema.nullish().transform((v) => v ?? {}),
});
export type TenantWorkerSettings = z.output<typeof TenantWorkerSettingsSchema>;

export const NO_TENANT_SETTINGS: TenantWorkerSettings = Object.freeze({ steps: {}, outbound: {} });
