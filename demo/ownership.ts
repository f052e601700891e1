import { dividedEvenly } from "../scheduler/shards/assign.ts";
import { MongoLeaseStore } from "../scheduler/shards/lease-store.ts";
import type { Runtime } from "../shared/runtime/runtime.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";

/**
 * Which scheduler replica holds each tenant's intake lease now (ADR 0024), as `sluice tenants list`
 * shows it; null when none holds an unexpired one.
 */
export async function tenantOwners(
  rt: Runtime,
  tenants: readonly TenantId[],
  now = Date.now(),
): Promise<Map<TenantId, string | null>> {
  const leases = await new MongoLeaseStore(rt.fleetDb).leases(tenants);
  return new Map(
    tenants.map((t) => {
      const l = leases.get(t);
      return [t, l !== undefined && l.owner !== null && l.expiresAt > now ? l.owner : null];
    }),
  );
}

/**
 * Waits until the scheduler replicas have divided the tenants (the first to start takes them all and
 * hands some over as the others join), so the run shows the steady state, not the join. Returns the
 * owners, and whether they settled before `timeoutMs`.
 */
export async function waitForOwnership(
  rt: Runtime,
  tenants: readonly TenantId[],
  replicas: number,
  timeoutMs: number,
): Promise<{ owners: Map<TenantId, string | null>; settled: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owners = await tenantOwners(rt, tenants);
    if (dividedEvenly(owners, replicas)) return { owners, settled: true };
    if (Date.now() > deadline) return { owners, settled: false };
    await new Promise((r) => setTimeout(r, 200));
  }
}
