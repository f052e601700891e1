import { z } from "zod";
import { TokenBucketSchema } from "./token-bucket.ts";

/**
 * Everything the fair-share core carries from one decision to the next. Plain JSON, small, and
 * *relative*: virtual times are stored as each tenant's lead over the system virtual time at the end
 * of the last decision, so numbers never grow without bound and there is no global clock to persist.
 *
 * A tenant with default state (lead 0, full or no bucket, no bypass counts) is omitted, so the state
 * holds only tenants that are ahead of their share, recently rate-limited, or have aged low-priority
 * work: typically far fewer than all tenants. Tenants missing from a decision's snapshot are dropped.
 */
export const TenantLaneStateSchema = z.object({
  /** Virtual start of the tenant's next release minus system virtual time (SFQ start tag), ≥ 0. */
  lead: z.number().min(0).optional(),
  /** Rate-limit bucket; absent means full (or no rate limit). */
  bucket: TokenBucketSchema.optional(),
  /** Consecutive releases of this tenant that bypassed its waiting normal/low work (priority aging). */
  bypassed: z.object({ normal: z.number().int().min(0), low: z.number().int().min(0) }).optional(),
});
export type TenantLaneState = z.infer<typeof TenantLaneStateSchema>;

export const FairShareStateSchema = z.object({
  v: z.literal(1),
  tenants: z.record(z.string(), TenantLaneStateSchema),
});
export type FairShareState = z.infer<typeof FairShareStateSchema>;

export function initialFairShareState(): FairShareState {
  return { v: 1, tenants: {} };
}

/** Validates state restored from storage (e.g. after a scheduler restart); throws ZodError if corrupt. */
export function restoreFairShareState(json: unknown): FairShareState {
  return FairShareStateSchema.parse(json);
}
