import { z } from "zod";
import { TenantIdSchema } from "../../shared/tenancy/tenant-id.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { TenantOutboundSchema } from "../../shared/limits/outbound-limits.ts";
import { TenantStepSettingsSchema } from "../../shared/tenancy/tenant-settings.ts";
import { IsolationTierSchema, TenantStorageSchema } from "../../shared/tenancy/tenant-storage.ts";

/**
 * The tenant quota document operators edit live in MongoDB (collection `tenants`, one document per
 * tenant, `_id` = tenant id). It is validated on every read (invariant 5): a document that fails is
 * reported field by field (`rate.perSecond: must be > 0`) and the tenant's last valid quota keeps
 * applying (see `QuotaBook`).
 *
 * Optional fields may be absent or `null` (what an operator clearing a field in a GUI produces);
 * both mean "no limit". Unknown fields are ignored, so other components may store their own fields
 * in the same document.
 */

/** `active`: released normally. `paused`: work is held (kept queued). `suspended`: new work is rejected. */
export const TenantStatusSchema = z.enum(["active", "paused", "suspended"]);
export type TenantStatus = z.infer<typeof TenantStatusSchema>;

/**
 * Isolation tier, the one switch of where the tenant's data lives (shared/tenancy/tenant-storage.ts,
 * read by the tenant data router); it does not change the fair-share arithmetic.
 */
export const TenantTierSchema = IsolationTierSchema;
export type TenantTier = z.infer<typeof TenantTierSchema>;

/** Upper bound on weights, so virtual-time increments (1 / weight) stay well inside double precision. */
export const MAX_WEIGHT = 1_000_000;

const count = z.number().int().min(0);

function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

export const RateSchema = z.object({
  /** Sustained releases per second (token refill rate). */
  perSecond: z.number().gt(0),
  /** Bucket size: releases allowed back to back after an idle period. */
  burst: z.number().int().min(1),
});
export type Rate = z.infer<typeof RateSchema>;

const DateLike = z.union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))]);

const QuotaObjectSchema = z.object({
  _id: z.unknown().optional(),
  tenantId: TenantIdSchema,
  status: TenantStatusSchema,
  /** Why the tenant is suspended (required then) or paused (optional); shown to operators and callers. */
  reason: optional(z.string().min(1).max(500)),
  tier: TenantTierSchema,
  /** Where a `dedicated` tenant lives: database (default `sluice_t_<tenant>`), MongoDB URL, bucket, KMS key. */
  storage: optional(TenantStorageSchema),
  weight: z.number().gt(0).max(MAX_WEIGHT),
  maxConcurrency: count,
  minConcurrency: count,
  rate: optional(RateSchema),
  /** Intake admission limit on queued (not yet released) jobs. */
  maxQueued: optional(count),
  /** Releases allowed per UTC day; the caller supplies the day's count. */
  dailyJobQuota: optional(count),
  updatedAt: DateLike,
  version: count,
  /** Settings each step gets as `ctx.settings` (`steps.<stepName>`), read by workers. */
  steps: optional(TenantStepSettingsSchema),
  /** The tenant's own outbound call limits per provider (`ctx.limiter`), read by workers. */
  outbound: optional(TenantOutboundSchema),
  /** The tenant's request rate at the API's edge (a token bucket; over it: 429). Absent: the API's default. */
  api: optional(RateSchema),
});

/** Fills `tenantId` from a string `_id` so documents keyed only by `_id` parse. */
function withTenantId(input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const doc = input as Record<string, unknown>;
  if (doc["tenantId"] === undefined && typeof doc["_id"] === "string")
    return { ...doc, tenantId: doc["_id"] };
  return input;
}

export const QuotaDocSchema = z
  .preprocess(withTenantId, QuotaObjectSchema)
  .superRefine((q, ctx) => {
    if (typeof q._id === "string" && q._id !== q.tenantId) {
      ctx.addIssue({ code: "custom", path: ["_id"], message: `must equal tenantId (${q.tenantId})` });
    }
    if (isCount(q.minConcurrency) && isCount(q.maxConcurrency) && q.minConcurrency > q.maxConcurrency) {
      ctx.addIssue({
        code: "custom",
        path: ["minConcurrency"],
        message: `must be <= maxConcurrency (${q.maxConcurrency})`,
      });
    }
    if (q.status === "suspended" && q.reason === undefined) {
      ctx.addIssue({ code: "custom", path: ["reason"], message: "is required when status is suspended" });
    }
  })
  .transform(({ _id: _ignored, ...quota }) => quota);

/** A validated tenant quota. */
export type Quota = z.output<typeof QuotaDocSchema>;
/** What an operator writes (before defaults and coercions). */
export type QuotaDoc = z.input<typeof QuotaObjectSchema>;

/** One reason a quota document was rejected, with the dotted path of the offending field. */
export interface QuotaProblem {
  readonly path: string;
  readonly message: string;
}

export type ParseQuotaResult =
  | { readonly ok: true; readonly quota: Quota }
  | {
      readonly ok: false;
      readonly problems: readonly QuotaProblem[];
      readonly tenantId: TenantId | undefined;
    };

/** `rate.perSecond: must be > 0` */
export function formatProblem(problem: QuotaProblem): string {
  return `${problem.path}: ${problem.message}`;
}

/** Validates an untrusted document read from MongoDB. Never throws. */
export function parseQuota(doc: unknown): ParseQuotaResult {
  const result = QuotaDocSchema.safeParse(doc, { reportInput: true });
  if (result.success) return { ok: true, quota: result.data };
  const problems = result.error.issues.map((issue) => ({
    path: issue.path.length === 0 ? "(document)" : issue.path.map(String).join("."),
    message: describeIssue(issue),
  }));
  return { ok: false, problems, tenantId: guessTenantId(doc) };
}

/** The tenant a rejected document belongs to, when that much of it is readable. */
function guessTenantId(doc: unknown): TenantId | undefined {
  const withId = withTenantId(doc);
  if (typeof withId !== "object" || withId === null) return undefined;
  const parsed = TenantIdSchema.safeParse((withId as Record<string, unknown>)["tenantId"]);
  return parsed.success ? parsed.data : undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return `must be ${issue.expected === "int" ? "an integer" : withArticle(issue.expected)}`;
    case "too_small":
      return `must be ${issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}${issue.origin === "string" ? " characters" : ""}`;
    case "too_big":
      return `must be ${issue.inclusive ? "<=" : "<"} ${String(issue.maximum)}${issue.origin === "string" ? " characters" : ""}`;
    case "invalid_value":
      if (issue.input === undefined) return "is required";
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}`;
    case "invalid_union":
      return "must be a date (Date or ISO-8601 string with offset)";
    case "invalid_format":
      // A pattern with its own message (storage.database: "must match ^[A-Za-z0-9_-]{1,63}$ …") says it best.
      if (issue.format === "regex" && !issue.message.startsWith("Invalid")) return issue.message;
      return `must be a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

function withArticle(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** Cross-field rules run even when single fields failed; compare only values that are themselves valid. */
function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0;
}
