/**
 * TEST ONLY: a tenant data router that sends every tenant to one database, as the shared tier,
 * without reading any tenant document. For tests of a store's own behaviour (usage counters, the
 * ledger, token budgets, the job store) on a database of their own. Production code uses the real
 * router (shared/tenancy/tenant-router.ts), which reads the tier from the tenant document and fails
 * closed; tests of routing use that one.
 */
import type { Db } from "mongodb";
import type { TenantHome } from "../../shared/tenancy/tenant-storage.ts";
import type { TenantDataRouter } from "../../shared/tenancy/tenant-router.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export function oneDbRouter(db: Db): TenantDataRouter {
  const home = (tenantId: TenantId): TenantHome => ({
    tenantId,
    tier: "shared",
    databaseName: db.databaseName,
    mongoUrl: undefined,
    bucket: undefined,
    kmsKeyId: undefined,
  });
  return {
    home: async (t) => home(t),
    dbFor: async () => db,
    invalidate: () => undefined,
    databases: async () => [{ db, tier: "shared", tenants: [] }],
  };
}
