/**
 * Limits on a worker's outbound calls to external providers (an LLM API, an OCR service): how many
 * run at once, how many requests and how many tokens a minute. Configured per provider for the
 * fleet (`SLUICE_OUTBOUND_LIMITS`, JSON) with a default per-tenant share, and overridable per tenant
 * in its tenant document (`outbound.<provider>`). Shared by the config, the tenant document schema
 * (scheduler) and the workers' limiter; the decision of which limits apply is pure (below).
 */
import { z } from "zod";

/** `openai`, `bedrock`, `my-ocr.eu`: lowercase, what a step passes to `ctx.limiter.schedule`. */
export const ProviderNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9._-]{0,63}$/, "provider name must match ^[a-z][a-z0-9._-]{0,63}$");

const positive = z.number().int().min(1);

/** One set of limits; an absent field is no limit. */
export const LimitValuesSchema = z
  .object({
    /** Calls in flight at once. */
    concurrency: positive.optional(),
    /** Calls started per minute (a bucket of one minute's worth, refilled every second). */
    requestsPerMinute: positive.optional(),
    /** Tokens (as the caller declares them) per minute, same bucket. */
    tokensPerMinute: positive.optional(),
  })
  .strict();
export type LimitValues = z.infer<typeof LimitValuesSchema>;

/** A provider's limits for the whole worker, and the default for each tenant (`perTenant`). */
export const ProviderLimitsSchema = LimitValuesSchema.extend({
  perTenant: LimitValuesSchema.optional(),
}).strict();
export type ProviderLimits = z.infer<typeof ProviderLimitsSchema>;

/** `SLUICE_OUTBOUND_LIMITS`: provider name → limits. */
export const OutboundLimitsSchema = z.record(ProviderNameSchema, ProviderLimitsSchema);
export type OutboundLimits = z.infer<typeof OutboundLimitsSchema>;

/** A tenant document's `outbound` section: provider name → the tenant's own limits for it. */
export const TenantOutboundSchema = z.record(ProviderNameSchema, LimitValuesSchema);
export type TenantOutbound = z.infer<typeof TenantOutboundSchema>;

/** True when the values limit nothing. */
export function isUnlimited(v: LimitValues | undefined): boolean {
  return (
    v === undefined ||
    (v.concurrency === undefined && v.requestsPerMinute === undefined && v.tokensPerMinute === undefined)
  );
}

/**
 * The limits a tenant's calls to `provider` wait for: the provider's fleet-wide limits, and the
 * tenant's own (its document's override, field by field over the provider's `perTenant` default).
 * Pure.
 */
export function effectiveLimits(
  config: OutboundLimits,
  provider: string,
  tenantOverride: TenantOutbound | undefined,
): { provider: LimitValues; tenant: LimitValues } {
  const p = config[provider];
  const { perTenant, ...providerWide } = p ?? {};
  return {
    provider: providerWide,
    tenant: { ...(perTenant ?? {}), ...(tenantOverride?.[provider] ?? {}) },
  };
}
