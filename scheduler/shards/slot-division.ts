/**
 * How the fleet's free worker slots are divided between scheduler replicas (pure, no I/O, no clock;
 * ADR 0029, which replaces ADR 0024's division by backlogged weight).
 *
 * Every replica publishes, per tenant it owns that could take a release now, a **claim**: how many
 * more jobs it could start (its backlog, 0 when paused, at a daily quota or out of rate tokens, at
 * most its cap). Every replica then runs the same computation over the union of the claims, with the
 * running counters it reads every tick (`usage`, shared by all replicas):
 *
 * 1. the slots the claiming tenants compete for are `free` plus the slots they occupy already
 *    (running − parked), so a tenant's jobs in flight count against its share, whichever replica
 *    released them;
 * 2. those slots are water-filled over the claiming tenants: each gets at most its demand
 *    (occupied + room, room = min(claim, cap − running)), at least its guaranteed minimum when the
 *    minimums fit, and what the satisfied leave over is split by weight (`fairAllocation`);
 * 3. a replica's slack is Σ over its tenants of what each is short of its allocation (allocation −
 *    occupied, counted only when positive: a tenant over its share does not cancel another one's
 *    need, or a woken tenant would wait for a busy neighbour's jobs to end); its budget is that slack,
 *    scaled down so the budgets sum to at most `free`, rounded by largest remainder
 *    (ties by replica id) so that replicas seeing the same inputs give out each free slot exactly once
 *    (`divideSlots`).
 *
 * Properties (unit and property tests): budgets sum to min(free, Σ room) (work-conserving: a slot is
 * left idle only when no claiming tenant can use it); a replica's budget never exceeds Σ room of its
 * tenants (no budget it cannot spend); the division is self-correcting, because a replica that took
 * more than its share (stale inputs, rounding) sees its tenants' occupancy above their allocation and
 * gets nothing for the tenants that are over their share until the others catch up. Shares are fair
 * in occupied slots across replicas (in releases when jobs last alike) and, inside a replica, in
 * releases as `decide()` makes them (ADR 0001).
 */

export interface TenantClaim {
  readonly tenant: string;
  /** The replica that owns the tenant's intake (and publishes this claim). */
  readonly replica: string;
  /** Fair-share weight (> 0). */
  readonly weight: number;
  /** Worker slots its released jobs hold now: running − parked (fleet usage counter). */
  readonly occupied: number;
  /** Jobs it could start now: min(claimable backlog, cap − running), ≥ 0. */
  readonly room: number;
  /** Guaranteed concurrency (`minConcurrency`); 0 when none. */
  readonly minimum: number;
}

const byTenant = (a: TenantClaim, b: TenantClaim) =>
  a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.replica < b.replica ? -1 : 1;

const clean = (n: number) => (Number.isFinite(n) ? Math.max(0, n) : 0);

/**
 * Weighted max-min fair split of `capacity` over the claims, with floors: claim i gets
 * clamp(weight_i × L, floor_i, demand_i) for the one level L at which the allocations sum to
 * min(capacity, Σ demand), where demand = occupied + room and floor = min(minimum, demand). When the
 * floors alone exceed the capacity, it is split in proportion to them. Same order as `claims`.
 */
export function fairAllocation(capacity: number, claims: readonly TenantClaim[]): number[] {
  const cap = clean(capacity);
  const demand = claims.map((c) => clean(c.occupied) + clean(c.room));
  const floor = claims.map((c, i) => Math.min(clean(c.minimum), demand[i]!));
  const total = demand.reduce((s, d) => s + d, 0);
  if (total <= cap) return demand;
  const floors = floor.reduce((s, f) => s + f, 0);
  if (floors >= cap) return floor.map((f) => (floors > 0 ? (cap * f) / floors : 0));
  const weight = claims.map((c) => (Number.isFinite(c.weight) && c.weight > 0 ? c.weight : 0));
  const one = (i: number, level: number) =>
    weight[i]! > 0 ? Math.min(demand[i]!, Math.max(floor[i]!, weight[i]! * level)) : floor[i]!;
  const sumAt = (level: number) => {
    let sum = 0;
    for (let i = 0; i < claims.length; i += 1) sum += one(i, level);
    return sum;
  };
  // Σ one(i, level) is continuous and non-decreasing in level: bisect for the level that fills `cap`.
  let lo = 0;
  let hi = 1;
  while (sumAt(hi) < cap && hi < 1e15) hi *= 2;
  for (let k = 0; k < 200 && hi - lo > hi * 1e-15; k += 1) {
    const mid = (lo + hi) / 2;
    if (sumAt(mid) < cap) lo = mid;
    else hi = mid;
  }
  return claims.map((_, i) => one(i, hi));
}

/**
 * Integer slot budgets per replica (every replica present in `claims` gets an entry) out of `free`:
 * see the module note. Deterministic: the same inputs in any order give the same budgets.
 */
export function divideSlots(free: number, claims: readonly TenantClaim[]): Map<string, number> {
  const n = Math.max(0, Math.floor(clean(free)));
  const sorted = [...claims].sort(byTenant);
  const occupied = sorted.reduce((s, c) => s + clean(c.occupied), 0);
  const alloc = fairAllocation(n + occupied, sorted);
  const slack = new Map<string, number>();
  const room = new Map<string, number>();
  sorted.forEach((c, i) => {
    slack.set(c.replica, (slack.get(c.replica) ?? 0) + Math.max(0, alloc[i]! - clean(c.occupied)));
    room.set(c.replica, (room.get(c.replica) ?? 0) + Math.floor(clean(c.room)));
  });
  const replicas = [...slack.keys()].sort();
  const want = replicas.map((r) => Math.min(Math.max(0, slack.get(r)!), room.get(r)!));
  const wanted = want.reduce((s, w) => s + w, 0);
  const scale = wanted > n ? n / wanted : 1;
  const exact = want.map((w) => w * scale);
  // Σ exact is n when scaled, else Σ room (whole) up to float noise: round the total, then hand out
  // the remainder by largest fraction (ties: replica id order), never past a replica's room.
  const target = Math.min(n, Math.round(exact.reduce((s, x) => s + x, 0)));
  const out = exact.map((x) => Math.floor(x + 1e-9));
  let left = target - out.reduce((s, x) => s + x, 0);
  const order = replicas
    .map((_, i) => i)
    .sort((a, b) => exact[b]! - out[b]! - (exact[a]! - out[a]!) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    if (out[i]! < room.get(replicas[i]!)!) {
      out[i]! += 1;
      left -= 1;
    }
  }
  return new Map(replicas.map((r, i) => [r, out[i]!]));
}

/** `me`'s budget out of `free` (0 when none of its tenants claims a slot). */
export function slotBudget(free: number, me: string, claims: readonly TenantClaim[]): number {
  return divideSlots(free, claims).get(me) ?? 0;
}

/**
 * The most of `free` slots a replica takes in one tick while the others may not know its claims yet
 * (`ClaimExchange.unconfirmed`): its per-replica part, rounded up so that one free slot is never held
 * back. Without it, replicas whose backlog appears at the same moment (a burst after an idle spell)
 * each see the others claiming nothing and each take every free slot: the fleet is committed
 * `replicas` times over, and a tenant that wakes next waits for all of that work. The rest of a burst
 * goes in the next ticks, divided with the claims by then exchanged.
 */
export function burstCap(free: number, replicas: number): number {
  const n = Math.max(0, Math.floor(clean(free)));
  return Math.ceil(n / Math.max(1, Math.floor(clean(replicas))));
}

/**
 * A published claim less the releases its owner made since it was published (see `claimUnion`): its
 * tenant's `releasedToday` counter beyond the claim's `basis`. A counter below the basis (a new UTC
 * day, a refund) takes nothing off.
 */
export function publishedClaimNow(
  c: ReplicaClaims["claims"][number],
  usage: ClaimUnionInput["usage"],
): number {
  const released = usage.get(c.tenant)?.releasedToday;
  if (c.basis === undefined || released === undefined) return c.claim;
  return Math.max(0, c.claim - Math.max(0, released - c.basis));
}

/**
 * The other replicas' claims per tenant (`me`'s own publication skipped): each tenant's from its latest
 * publication, less what was released since (`publishedClaimNow`).
 */
export function latestClaims(
  input: Pick<ClaimUnionInput, "me" | "others" | "usage">,
): Map<string, { replica: string; claim: number; at: number }> {
  const out = new Map<string, { replica: string; claim: number; at: number }>();
  for (const r of input.others) {
    if (r.replicaId === input.me) continue;
    for (const c of r.claims) {
      const seen = out.get(c.tenant);
      if (seen === undefined || r.at > seen.at)
        out.set(c.tenant, { replica: r.replicaId, claim: publishedClaimNow(c, input.usage), at: r.at });
    }
  }
  return out;
}

/** One replica's published claims (`claim-store.ts`), as `claimUnion` reads them. */
export interface ReplicaClaims {
  readonly replicaId: string;
  readonly at: number;
  readonly claims: readonly {
    readonly tenant: string;
    readonly claim: number;
    /**
     * For a claim below the tenant's cap (its backlog, daily quota or rate tokens, which releases use
     * up): the tenant's releases today (`UsageSnapshot.releasedToday`) once the releases decided with
     * it are counted. Absent for a claim at the cap (a deeper backlog: releases do not shrink it).
     */
    readonly basis?: number | undefined;
  }[];
}

export interface ClaimUnionInput {
  readonly me: string;
  /** This replica's claims, fresh from its tick (`tenant-claims.ts`). */
  readonly mine: ReadonlyMap<string, number>;
  /** The other live replicas' last publications. */
  readonly others: readonly ReplicaClaims[];
  /** Running counters of every tenant (the tick's `usage` read). */
  readonly usage: ReadonlyMap<
    string,
    { readonly running: number; readonly parked?: number; readonly releasedToday?: number }
  >;
  /** Every tenant's quota (weight, caps, status). */
  readonly quotas: ReadonlyMap<
    string,
    {
      readonly status: string;
      readonly weight: number;
      readonly maxConcurrency: number;
      readonly minConcurrency: number;
    }
  >;
}

/**
 * The claims `divideSlots` works on: this replica's own (fresh) and the others' published ones, each
 * tenant once (its owner's own claim wins over a publication; between publications, the latest), with
 * occupancy and room from the running counters and the cap from the quota. Tenants that cannot take a
 * slot now (not active, unknown quota, no room under their cap) are left out: their jobs in flight hold
 * slots outside the division, like any tenant's without backlog.
 *
 * A published claim is as old as its publication (up to a publish and a read period, ~150 ms), and
 * its owner may have released against it since. A claim with a `basis` is lowered by the releases the
 * running counters show since (`releasedToday` − basis): otherwise a replica would keep deferring
 * free slots to a tenant whose backlog its owner has already released, while the owner, knowing
 * better, leaves them to this one's tenants; both would hold the slot back until the next exchange.
 */
export function claimUnion(input: ClaimUnionInput): TenantClaim[] {
  const owner: Map<string, { replica: string; claim: number }> = latestClaims(input);
  for (const [t, claim] of input.mine) owner.set(t, { replica: input.me, claim });
  const out: TenantClaim[] = [];
  for (const [tenant, o] of owner) {
    const q = input.quotas.get(tenant);
    if (q === undefined || q.status !== "active") continue;
    const u = input.usage.get(tenant);
    const running = Math.max(0, u?.running ?? 0);
    const room = Math.min(clean(o.claim), q.maxConcurrency - running);
    if (!(room > 0)) continue;
    out.push({
      tenant,
      replica: o.replica,
      weight: q.weight,
      occupied: Math.max(0, running - Math.max(0, u?.parked ?? 0)),
      room: Math.floor(room),
      minimum: q.minConcurrency,
    });
  }
  return out;
}
