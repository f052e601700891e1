import { z } from "zod";

/**
 * A tenant id: lowercase letters, digits and hyphens, 2–40 characters, starting with a letter.
 * The shape is safe inside S3 keys, SQS queue names (`sluice-intake-<tenant>`) and MongoDB database
 * names (`sluice_t_<tenant>` for dedicated tenants), so no escaping is ever needed.
 */
export const TenantIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, "tenant id must match ^[a-z][a-z0-9-]{1,39}$")
  .brand<"TenantId">();

export type TenantId = z.infer<typeof TenantIdSchema>;

/** Parses an untrusted value into a TenantId, throwing a ZodError with the reason. */
export function tenantId(value: string): TenantId {
  return TenantIdSchema.parse(value);
}
