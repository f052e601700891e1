/**
 * Which replica should own which tenant: rendezvous (highest-random-weight) hashing with bounded
 * loads. Pure and deterministic: every replica computes the same answer from the same live replicas
 * and tenants, so no replica has to coordinate the division beyond the leases themselves.
 *
 * Each tenant ranks the replicas by `score(tenant, replica)`; tenants are placed in a fixed
 * pseudo-random order (by `hash(tenant)`), each with its best-ranked replica that still has room
 * under `ceil(tenants / replicas)`. Plain rendezvous hashing moves only the tenants of a replica that
 * joins or leaves but splits 40 tenants over 2 replicas anywhere from ~14/26 to 26/14; the bound
 * makes the split exact (20/20) and costs a few extra moves on a join (see ADR 0024). Cost
 * O(tenants × replicas log replicas) per call, run once per ownership round, not per tick.
 */
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

/** 32-bit FNV-1a of a string, finished with a murmur3-style avalanche. Pure, stable across processes. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A replica's rendezvous score for a tenant (higher wins; ties broken by replica id). */
export function score(tenant: string, replica: string): number {
  return hash32(`${tenant}\u0000${replica}`);
}

/**
 * The owner each tenant should have among `replicas` (ids). Every tenant gets exactly one replica,
 * and no replica gets more than `ceil(tenants / replicas)`. Empty when there is no replica.
 */
export function assignTenants(
  tenants: Iterable<TenantId>,
  replicas: Iterable<string>,
): Map<TenantId, string> {
  const ids = [...new Set(replicas)].sort();
  const out = new Map<TenantId, string>();
  if (ids.length === 0) return out;
  const list = [...new Set(tenants)]
    .map((t) => ({ t, h: hash32(t) }))
    .sort((a, b) => a.h - b.h || (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  const bound = Math.ceil(list.length / ids.length);
  const load = new Map<string, number>(ids.map((r) => [r, 0]));
  for (const { t } of list) {
    const ranked = ids.map((r) => ({ r, s: score(t, r) })).sort((a, b) => b.s - a.s || (a.r < b.r ? -1 : 1));
    const pick = ranked.find((x) => (load.get(x.r) ?? 0) < bound) ?? ranked[0];
    if (pick === undefined) continue;
    out.set(t, pick.r);
    load.set(pick.r, (load.get(pick.r) ?? 0) + 1);
  }
  return out;
}

/**
 * True when every tenant of `owners` has an owner, as many replicas as can share them (`replicas`, or
 * one per tenant when there are fewer) own some, and none owns more than `assignTenants`' bound: the
 * replicas have divided the tenants (what a bench or the demo waits for after starting replicas).
 */
export function dividedEvenly(owners: ReadonlyMap<string, string | null>, replicas: number): boolean {
  const load = new Map<string, number>();
  for (const o of owners.values()) {
    if (o === null) return false;
    load.set(o, (load.get(o) ?? 0) + 1);
  }
  const bound = Math.ceil(owners.size / Math.max(1, replicas));
  return load.size === Math.min(replicas, owners.size) && Math.max(0, ...load.values()) <= bound;
}
