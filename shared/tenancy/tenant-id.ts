import { z } from "zod";

/** The suffix of every dead-letter queue's name (`<queue>-dlq`); no tenant id may end with it. */
export const RESERVED_TENANT_SUFFIX = "-dlq";

const TENANT_ID_SHAPE = /^[a-z][a-z0-9-]{1,39}$/;
export const TENANT_ID_RULE = `must match ^[a-z][a-z0-9-]{1,39}$ and not end in "${RESERVED_TENANT_SUFFIX}"`;

/**
 * True for a well-formed tenant id. The shape is safe inside S3 keys, SQS queue names
 * (`<prefix>-intake-<tenant>`) and MongoDB database names (`sluice_t_<tenant>`), so no escaping is
 * ever needed. An id may not end in `-dlq`: the dead-letter queue of `<prefix>-intake-acme` is
 * `<prefix>-intake-acme-dlq`, which would otherwise be the intake queue of tenant `acme-dlq` (see
 * docs/adr/0005-queue-names.md). With that one rule, no two (tenant, queue kind) pairs share a name.
 */
export function isTenantIdShape(value: unknown): value is string {
  return typeof value === "string" && TENANT_ID_SHAPE.test(value) && !value.endsWith(RESERVED_TENANT_SUFFIX);
}

/**
 * A tenant id: lowercase letters, digits and hyphens, 2–40 characters, starting with a letter, not
 * ending in `-dlq` (see `isTenantIdShape`).
 */
export const TenantIdSchema = z
  .string()
  .regex(TENANT_ID_SHAPE, "tenant id must match ^[a-z][a-z0-9-]{1,39}$")
  .refine((s) => !s.endsWith(RESERVED_TENANT_SUFFIX), {
    message: `tenant id must not end in "${RESERVED_TENANT_SUFFIX}" (reserved for dead-letter queues)`,
  })
  .brand<"TenantId">();

export type TenantId = z.infer<typeof TenantIdSchema>;

/** Parses an untrusted value into a TenantId, throwing a ZodError with the reason. */
export function tenantId(value: string): TenantId {
  return TenantIdSchema.parse(value);
}
