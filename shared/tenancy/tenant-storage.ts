import { z } from "zod";

/**
 * Where a `dedicated` tenant lives (the tenant document's `storage`, contract 1 of issue 12): its own
 * database (default `sluice_t_<tenant>`), optionally its own MongoDB connection string, its own S3
 * bucket and its own KMS key. `tier` stays the switch for the database; `bucket` and `kmsKeyId` apply
 * whenever they are set (shared/tenancy/storage-placement.ts).
 */
export const TenantStorageSchema = z.object({
  database: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,38}$/)
    .optional(),
  mongoUrl: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/.+/)
    .optional(),
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
    .optional(),
  /** A KMS key id, key ARN or alias ARN: every object of the tenant is written with SSE-KMS under it. */
  kmsKeyId: z
    .string()
    .regex(
      /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|[0-9a-f-]{36}|alias\/[A-Za-z0-9/_-]+)$/,
    )
    .optional(),
});
export type TenantStorage = z.infer<typeof TenantStorageSchema>;
