/**
 * What each tenant a replica owns claims in the slot division (pure; ADR 0029): how many jobs it
 * could start now, leaving out only the cap, which every replica applies itself from the running
 * counters it reads each tick (fresher than a publication). 0 for a tenant that is not active, has
 * used its daily quota, or has no rate token; else its backlog, at most its daily quota left and its
 * whole rate tokens, and at most its `maxConcurrency` (a bigger claim could never be used, and a
 * claim that stays the same is not published again).
 */
import type { TenantSnapshot } from "../fairshare/decide.ts";
import type { FairShareState } from "../fairshare/state.ts";
import { fullBucket, refill } from "../fairshare/token-bucket.ts";
import { backlogTotal } from "../quota/priority.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export function tenantClaim(s: TenantSnapshot, state: FairShareState, now: number): number {
  const q = s.quota;
  if (q === undefined || q.status !== "active") return 0;
  let claim = Math.min(backlogTotal(s.backlog), q.maxConcurrency);
  if (q.dailyJobQuota !== undefined) claim = Math.min(claim, q.dailyJobQuota - (s.releasedToday ?? 0));
  if (q.rate !== undefined) {
    const bucket = state.tenants[s.tenantId]?.bucket;
    const tokens = (bucket === undefined ? fullBucket(q.rate, now) : refill(bucket, q.rate, now)).tokens;
    claim = Math.min(claim, Math.floor(tokens + 1e-9));
  }
  return Math.max(0, Math.floor(claim));
}

/** The claims of a tick's snapshots (tenants with a positive claim only). */
export function tenantClaims(
  snapshots: Iterable<TenantSnapshot>,
  state: FairShareState,
  now: number,
): Map<TenantId, number> {
  const out = new Map<TenantId, number>();
  for (const s of snapshots) {
    const c = tenantClaim(s, state, now);
    if (c > 0) out.set(s.tenantId, c);
  }
  return out;
}

/**
 * The `basis` of each claim below its tenant's cap (`ReplicaClaims`): the tenant's releases today as
 * this tick read them, plus the releases decided with the claim (the published claim is already less
 * those). A claim at the cap gets none: it stands for a backlog at least that deep, which releases do
 * not shrink until it is shallower than the cap (and then the claim changes and is published again).
 */
export function claimBases(
  snapshots: Iterable<TenantSnapshot>,
  mine: ReadonlyMap<TenantId, number>,
  releases: Iterable<{ readonly tenantId: TenantId }>,
): Map<TenantId, number> {
  const decided = new Map<TenantId, number>();
  for (const r of releases) decided.set(r.tenantId, (decided.get(r.tenantId) ?? 0) + 1);
  const out = new Map<TenantId, number>();
  for (const s of snapshots) {
    const claim = mine.get(s.tenantId);
    if (claim === undefined || s.quota === undefined || claim >= s.quota.maxConcurrency) continue;
    out.set(s.tenantId, (s.releasedToday ?? 0) + (decided.get(s.tenantId) ?? 0));
  }
  return out;
}
