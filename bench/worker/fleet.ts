/**
 * The worker benchmark's isolated namespace: the shared bench fleet (`bench/lib/fleet.ts`) for one
 * tenant, plus the raw jobs collection for setup and read-back (the worker itself goes through the
 * job store).
 */
import type { Collection } from "mongodb";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import { createIsolatedFleet, type IsolatedFleet } from "../lib/fleet.ts";

export interface BenchFleet extends IsolatedFleet {
  tenant: TenantId;
  jobs: Collection<JobDoc>;
}

export async function createBenchFleet(
  stackEnv: Record<string, string | undefined>,
  settings: Record<string, string>,
): Promise<BenchFleet> {
  const tenant = tenantId("bench");
  const fleet = await createIsolatedFleet({ label: "wk", stackEnv, tenants: [tenant], settings });
  return { ...fleet, tenant, jobs: fleet.db.collection<JobDoc>(COLLECTIONS.jobs) };
}
