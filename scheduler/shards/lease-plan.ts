/**
 * One ownership round's decision for one replica (pure; `tenant-ownership.ts` does the I/O):
 * given the leases as stored, what this replica holds in memory, and the tenants it should own
 * (`assign.ts`), which leases it has lost, which it gives up, which it keeps (renews) and which it
 * tries to take.
 *
 * A lease is `{ owner, expiresAt, fence }` in `scheduler_leases`; `fence` goes up by one at every
 * acquisition, so "the lease I took" is (owner, fence), and a lease taken again (by anyone, this
 * replica included) is a different lease. This replica may release a tenant's messages only while it
 * holds that lease with at least `marginMs` left by its own clock (`provable`).
 */
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

/** A tenant's lease as stored (`owner: null`: free). */
export interface LeaseView {
  readonly owner: string | null;
  readonly expiresAt: number;
  readonly fence: number;
}

/** A lease this replica holds, as it last wrote it. */
export interface HeldLease {
  readonly fence: number;
  readonly expiresAt: number;
}

export interface LeasePlanInput {
  readonly me: string;
  readonly now: number;
  readonly marginMs: number;
  /** The tenants this replica should own now (`assignTenants` restricted to `me`). */
  readonly target: ReadonlySet<TenantId>;
  /** Every tenant lease as read this round. */
  readonly stored: ReadonlyMap<TenantId, LeaseView>;
  readonly held: ReadonlyMap<TenantId, HeldLease>;
}

export interface LeasePlan {
  /**
   * Held in memory but no longer provable: not renewed in time (less than the margin left), or the
   * store shows another owner or another fence. Their lanes stop and return their messages.
   */
  readonly lost: TenantId[];
  /** Held and provable but no longer this replica's (a replica joined): return messages, then release. */
  readonly release: { tenant: TenantId; fence: number }[];
  /** Held, provable and still this replica's: renewed. */
  readonly keep: TenantId[];
  /**
   * Wanted and takeable: no lease document yet (`fence: null`, insert), free, expired, or this
   * replica's own unprovable lease (taken again with a new fence). A lease another replica holds
   * unexpired is left alone: it releases it when it sees the same assignment.
   */
  readonly acquire: { tenant: TenantId; fence: number | null }[];
}

/** True while `lease` (held) has more than `marginMs` left at `now`. */
export function provable(lease: HeldLease | undefined, now: number, marginMs: number): boolean {
  return lease !== undefined && lease.expiresAt - marginMs > now;
}

export function planLeases(input: LeasePlanInput): LeasePlan {
  const { me, now, marginMs, target, stored, held } = input;
  const lost: TenantId[] = [];
  const release: { tenant: TenantId; fence: number }[] = [];
  const keep: TenantId[] = [];
  const acquire: { tenant: TenantId; fence: number | null }[] = [];
  const stillHeld = new Set<TenantId>();

  for (const [tenant, lease] of held) {
    const s = stored.get(tenant);
    const intact = s !== undefined && s.owner === me && s.fence === lease.fence && s.expiresAt > now;
    if (!intact || !provable(lease, now, marginMs)) {
      lost.push(tenant);
      continue;
    }
    if (target.has(tenant)) {
      keep.push(tenant);
      stillHeld.add(tenant);
    } else release.push({ tenant, fence: lease.fence });
  }
  for (const tenant of target) {
    if (stillHeld.has(tenant)) continue;
    const s = stored.get(tenant);
    if (s === undefined) acquire.push({ tenant, fence: null });
    else if (s.owner === null || s.owner === me || s.expiresAt <= now)
      acquire.push({ tenant, fence: s.fence });
  }
  return { lost, release, keep, acquire };
}
