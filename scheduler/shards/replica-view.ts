/**
 * The scheduler replicas as operators see them (`sluice fleet`, the console's fleet page): one row
 * per replica from its heartbeat in `scheduler_leases` (replica id, last heartbeat, alive while the
 * heartbeat is unexpired) with the tenants whose unexpired lease it holds. A lease owner without a
 * heartbeat document (pruned, or never written) is listed too, as not alive. Pure over what the
 * lease store read; `schedulerReplicas` reads it.
 */
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { LeaseView } from "./lease-plan.ts";
import type { LeaseStore, ReplicaDoc } from "./lease-store.ts";

export interface ReplicaRow {
  readonly replicaId: string;
  readonly alive: boolean;
  /** Tenants whose lease it holds, unexpired. */
  readonly tenants: number;
  /** Its last heartbeat (epoch ms); null when it has no heartbeat document. */
  readonly lastHeartbeatAt: number | null;
  /** When that heartbeat expires (the replica counts as dead from then on). */
  readonly expiresAt: number | null;
  /** Backlogged weight it published for the slot division. */
  readonly weight: number | null;
}

export function replicaRows(
  replicas: readonly ReplicaDoc[],
  leases: ReadonlyMap<TenantId, LeaseView>,
  now: number,
): ReplicaRow[] {
  const owned = new Map<string, number>();
  for (const l of leases.values())
    if (l.owner !== null && l.expiresAt > now) owned.set(l.owner, (owned.get(l.owner) ?? 0) + 1);
  const rows: ReplicaRow[] = replicas.map((r) => ({
    replicaId: r.replicaId,
    alive: r.expiresAt > now,
    tenants: owned.get(r.replicaId) ?? 0,
    lastHeartbeatAt: r.at,
    expiresAt: r.expiresAt,
    weight: r.weight,
  }));
  const known = new Set(replicas.map((r) => r.replicaId));
  for (const [owner, n] of owned)
    if (!known.has(owner))
      rows.push({
        replicaId: owner,
        alive: false,
        tenants: n,
        lastHeartbeatAt: null,
        expiresAt: null,
        weight: null,
      });
  return rows.sort((a, b) =>
    a.alive !== b.alive
      ? a.alive
        ? -1
        : 1
      : a.replicaId < b.replicaId
        ? -1
        : a.replicaId > b.replicaId
          ? 1
          : 0,
  );
}

export async function schedulerReplicas(
  store: Pick<LeaseStore, "replicas" | "leases">,
  now: number,
): Promise<ReplicaRow[]> {
  const [replicas, leases] = await Promise.all([store.replicas(), store.leases()]);
  return replicaRows(replicas, leases, now);
}
