/**
 * Where a tenant's data lives: the tenant document's `tier` (the one switch) and its optional
 * `storage` section (collection `tenants`, validated on every read). The scheduler's quota schema
 * embeds `TenantStorageSchema`; the router (tenant-router.ts) reads only the fields parsed here, so a
 * typo elsewhere in the quota never stops a tenant's data from being found, while a bad `tier` or
 * `storage` makes routing fail closed (never "the shared database by default").
 *
 * - `shared` tier: the shared database (`SLUICE_DB`), documents told apart by `tenantId`;
 *   `storage.database` and `storage.mongoUrl` are ignored (a move may stage them before the switch).
 * - `dedicated` tier: the database `storage.database` (default `sluice_t_<tenant>`) on the MongoDB
 *   at `storage.mongoUrl` (default the fleet's own `MONGO_URL`). `storage.bucket` and
 *   `storage.kmsKeyId` name the tenant's own bucket and KMS key; they apply whenever they are set,
 *   whatever the tier (shared/tenancy/storage-placement.ts).
 *
 * Documents in a dedicated database still carry `tenantId` and are still reached through scoped
 * collections, so a routing mistake cannot leak one tenant's data to another.
 */
import { z } from "zod";
import { TenantIdSchema, type TenantId } from "./tenant-id.ts";

export const IsolationTierSchema = z.enum(["shared", "dedicated"]);
export type IsolationTier = z.infer<typeof IsolationTierSchema>;

/** Databases MongoDB reserves for itself: never a tenant's home. */
export const RESERVED_DATABASES: ReadonlySet<string> = new Set(["admin", "local", "config"]);

const DATABASE_NAME = /^[A-Za-z0-9_-]{1,63}$/;
const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A KMS key id, key ARN or alias (ARN): every object of the tenant is written with SSE-KMS under it. */
const KMS_KEY =
  /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|[0-9a-f-]{36}|alias\/[A-Za-z0-9/_-]+)$/;

const DatabaseNameSchema = z
  .string()
  .regex(DATABASE_NAME, "must match ^[A-Za-z0-9_-]{1,63}$ (a MongoDB database name)")
  .refine((name) => !RESERVED_DATABASES.has(name), { message: "must not be a MongoDB system database" });

const MongoUrlSchema = z
  .string()
  .max(2048, "must be at most 2048 characters")
  .regex(/^mongodb(\+srv)?:\/\/\S+$/, "must be a mongodb:// or mongodb+srv:// connection string");

/** `storage`: where a dedicated tenant lives. Every field optional; unknown fields are refused (typos). */
export const TenantStorageSchema = z.strictObject({
  database: DatabaseNameSchema.optional(),
  mongoUrl: MongoUrlSchema.optional(),
  bucket: z
    .string()
    .regex(BUCKET_NAME, "must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)")
    .optional(),
  kmsKeyId: z.string().regex(KMS_KEY, "must be a KMS key id, ARN or alias").optional(),
});
export type TenantStorage = z.infer<typeof TenantStorageSchema>;

/** Database name of a dedicated-tier tenant without `storage.database`. Tenant ids are safe in it. */
export function dedicatedDbName(tenantId: TenantId): string {
  return `sluice_t_${tenantId}`;
}

/** The routing fields of a tenant document (the rest of it is the scheduler's). */
const RoutingDocSchema = z.object({
  tenantId: TenantIdSchema,
  tier: IsolationTierSchema,
  storage: TenantStorageSchema.nullish().transform((v) => v ?? undefined),
});

/** Where one tenant's data lives, as the router resolved it from its document. */
export interface TenantHome {
  readonly tenantId: TenantId;
  readonly tier: IsolationTier;
  readonly databaseName: string;
  /** The tenant's own MongoDB; undefined: the fleet's (`MONGO_URL`). */
  readonly mongoUrl: string | undefined;
  readonly bucket: string | undefined;
  readonly kmsKeyId: string | undefined;
}

export type HomeResult =
  | { readonly ok: true; readonly home: TenantHome }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Resolves a tenant document (raw, untrusted) to the tenant's home. Pure. `sharedDbName` is the
 * fleet's shared database: a dedicated tenant may not name it (that would mix it into the shared
 * tier's collections under a dedicated label).
 */
export function homeOf(doc: unknown, tenant: TenantId, sharedDbName: string): HomeResult {
  const withId =
    typeof doc === "object" && doc !== null && !("tenantId" in doc) && "_id" in doc
      ? { ...doc, tenantId: (doc as { _id: unknown })._id }
      : doc;
  const parsed = RoutingDocSchema.safeParse(withId);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (i) => `${i.path.map(String).join(".") || "(document)"}: ${i.message}`,
      ),
    };
  }
  const { tenantId, tier, storage } = parsed.data;
  if (tenantId !== tenant)
    return { ok: false, problems: [`tenantId: is "${tenantId}", expected "${tenant}"`] };
  const databaseName = tier === "dedicated" ? (storage?.database ?? dedicatedDbName(tenant)) : sharedDbName;
  if (tier === "dedicated" && databaseName === sharedDbName && storage?.mongoUrl === undefined) {
    return {
      ok: false,
      problems: [
        `storage.database: must not be the shared database "${sharedDbName}" for a dedicated tenant`,
      ],
    };
  }
  return {
    ok: true,
    home: {
      tenantId,
      tier,
      databaseName,
      mongoUrl: tier === "dedicated" ? storage?.mongoUrl : undefined,
      bucket: storage?.bucket,
      kmsKeyId: storage?.kmsKeyId,
    },
  };
}
