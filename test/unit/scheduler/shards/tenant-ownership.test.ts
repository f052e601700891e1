import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../../shared/log/logger.ts";
import { tenantId, type TenantId } from "../../../../shared/tenancy/tenant-id.ts";
import type { LeaseView } from "../../../../scheduler/shards/lease-plan.ts";
import type { LeaseStore, ReplicaDoc } from "../../../../scheduler/shards/lease-store.ts";
import { TenantOwnership } from "../../../../scheduler/shards/tenant-ownership.ts";
import { ClaimExchange } from "../../../../scheduler/shards/claim-exchange.ts";
import { MemoryClaimStore } from "../../../support/memory-claim-store.ts";

/** In-memory `LeaseStore` with the adapter's compare-and-set semantics; records every write in order. */
class MemoryLeaseStore implements LeaseStore {
  readonly leasesMap = new Map<TenantId, LeaseView>();
  readonly replicaMap = new Map<string, ReplicaDoc>();
  readonly writes: string[] = [];
  async heartbeat(doc: Omit<ReplicaDoc, "kind">) {
    this.replicaMap.set(doc.replicaId, { ...doc, kind: "replica" });
  }
  async removeReplica(id: string) {
    this.replicaMap.delete(id);
  }
  async replicas() {
    return [...this.replicaMap.values()];
  }
  /** Tenant leases read (documents returned) by `leases()`. */
  leaseReads = 0;
  async leases(only?: readonly TenantId[]) {
    const out = new Map([...this.leasesMap].filter(([t]) => only === undefined || only.includes(t)));
    this.leaseReads += out.size;
    return out;
  }
  async leasesOf(owner: string) {
    return new Map([...this.leasesMap].filter(([, l]) => l.owner === owner));
  }
  async acquire(t: TenantId, fence: number | null, owner: string, now: number, expiresAt: number) {
    const cur = this.leasesMap.get(t);
    if (fence === null) {
      if (cur !== undefined) return null;
      this.leasesMap.set(t, { owner, expiresAt, fence: 1 });
      this.writes.push(`acquire ${t} ${owner}`);
      return 1;
    }
    if (cur === undefined || cur.fence !== fence) return null;
    if (!(cur.owner === null || cur.owner === owner || cur.expiresAt <= now)) return null;
    this.leasesMap.set(t, { owner, expiresAt, fence: fence + 1 });
    this.writes.push(`acquire ${t} ${owner}`);
    return fence + 1;
  }
  async renewAll(owner: string, now: number, expiresAt: number) {
    let n = 0;
    for (const [t, l] of this.leasesMap)
      if (l.owner === owner && l.expiresAt > now) {
        this.leasesMap.set(t, { ...l, expiresAt });
        n += 1;
      }
    return n;
  }
  async pruneReplicas(ids: readonly string[], before: number) {
    let n = 0;
    for (const id of ids)
      if ((this.replicaMap.get(id)?.expiresAt ?? Infinity) < before) {
        this.replicaMap.delete(id);
        n += 1;
      }
    return n;
  }
  async release(t: TenantId, owner: string, fence: number, now: number) {
    const cur = this.leasesMap.get(t);
    if (cur?.owner !== owner || cur.fence !== fence) return false;
    this.leasesMap.set(t, { owner: null, expiresAt: now, fence });
    this.writes.push(`release ${t} ${owner}`);
    return true;
  }
}

const tenants = Array.from({ length: 40 }, (_, i) => tenantId(`t${i}`));

function world() {
  let clock = 1_000_000;
  const store = new MemoryLeaseStore();
  const claimStore = new MemoryClaimStore();
  const returned: string[] = [];
  const replica = (id: string) => {
    const claims = new ClaimExchange({ store: claimStore, replicaId: id, log: silentLogger() });
    const own = new TenantOwnership(
      { store, replicaId: id, now: () => clock, log: silentLogger(), claims },
      { leaseMs: 10_000, renewMs: 1_000 },
    );
    const hooks = {
      weight: 0,
      lost: async (ts: readonly TenantId[]) => {
        for (const t of ts) {
          returned.push(`${id} ${t}`);
          store.writes.push(`return ${t} ${id}`);
        }
      },
    };
    return {
      own,
      claims,
      sync: () => own.sync(tenants, hooks),
      owned: () => tenants.filter((t) => own.owns(t)),
    };
  };
  return { store, claimStore, returned, replica, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe("TenantOwnership", () => {
  it("one replica owns every tenant; a joining one takes half, the first returning those messages before freeing the leases", async () => {
    const w = world();
    const a = w.replica("a");
    await a.sync();
    expect(a.owned()).toHaveLength(40);
    const b = w.replica("b");
    await b.sync(); // sees a's leases: takes nothing yet
    expect(b.owned()).toHaveLength(0);
    w.advance(1_000);
    await a.sync(); // sees b: gives up b's share
    expect(a.owned()).toHaveLength(20);
    await b.sync();
    expect(b.owned()).toHaveLength(20);
    expect(new Set([...a.owned(), ...b.owned()]).size).toBe(40);
    // Every given-up tenant's messages were returned before its lease was freed.
    for (const t of tenants.filter((x) => b.own.owns(x))) {
      expect(w.store.writes.indexOf(`return ${t} a`)).toBeLessThan(w.store.writes.indexOf(`release ${t} a`));
      expect(w.store.writes.indexOf(`release ${t} a`)).toBeLessThan(w.store.writes.indexOf(`acquire ${t} b`));
    }
  });

  it("a replica that dies loses its tenants once its leases expire, not before", async () => {
    const w = world();
    const a = w.replica("a");
    const b = w.replica("b");
    await a.sync();
    await b.sync();
    w.advance(1_000);
    await a.sync();
    await b.sync();
    expect(b.owned()).toHaveLength(20);
    // b dies (no more rounds). a keeps renewing; b's leases and heartbeat run out after 10 s.
    for (let i = 0; i < 8; i += 1) {
      w.advance(1_000);
      await a.sync();
      expect(a.owned()).toHaveLength(20);
    }
    w.advance(2_100);
    await a.sync();
    expect(a.owned()).toHaveLength(40);
  });

  it("a replica that could not renew stops owning within the margin, before its lease expires", async () => {
    const w = world();
    const a = w.replica("a");
    await a.sync();
    w.advance(7_400);
    expect(a.owned()).toHaveLength(40);
    w.advance(200); // 2.4 s left: under the 2.5 s margin
    expect(a.owned()).toHaveLength(0);
    // Its next round finds them lost (lanes stop, messages returned) and takes them again, new fence.
    w.returned.length = 0;
    await a.sync();
    expect(w.returned).toHaveLength(40);
    expect(a.owned()).toHaveLength(40);
  });

  it("releaseAll returns every lane's messages, then frees the leases and the heartbeat", async () => {
    const w = world();
    const a = w.replica("a");
    await a.sync();
    const lost: TenantId[] = [];
    await a.own.releaseAll(async (ts) => void lost.push(...ts));
    expect(lost).toHaveLength(40);
    expect([...w.store.leasesMap.values()].every((l) => l.owner === null)).toBe(true);
    expect(w.store.replicaMap.size).toBe(0);
    const b = w.replica("b");
    await b.sync();
    expect(b.owned()).toHaveLength(40);
  });

  it("budgets the free slots by the water-filling over every replica's claims (ADR 0029)", async () => {
    const w = world();
    const a = w.replica("a");
    const b = w.replica("b");
    const [ta, tb] = [tenantId("t0"), tenantId("t1")];
    const quota = (weight: number) => ({ status: "active", weight, maxConcurrency: 100, minConcurrency: 0 });
    const quotas = new Map([
      [ta, quota(1)],
      [tb, quota(3)],
    ]);
    const usage = new Map<TenantId, { running: number }>();
    const input = (mine: Map<TenantId, number>) => ({ free: 8, mine, usage, quotas, now: w.now() });
    const mineA = new Map([[ta, 10]]);
    const mineB = new Map([[tb, 10]]);
    const tickA = (m = mineA) => {
      const b = a.own.budget(input(m));
      a.own.publishClaims(m, [], w.now());
      return b;
    };
    const tickB = (m = mineB) => {
      const b2 = b.own.budget(input(m));
      b.own.publishClaims(m, [], w.now());
      return b2;
    };
    // Alone: every free slot, nothing published.
    await a.sync();
    expect(tickA()).toBe(8);
    await a.claims.settled();
    expect(w.claimStore.docs.size).toBe(0);
    expect(a.own.peerClaims(w.now(), usage)).toEqual(new Map());
    // Two live replicas: each publishes; until it has read the other's claims it divides by its own,
    // and while the other cannot have seen its claims yet it takes at most its part of the burst
    // (burstCap): 4 + 4, not 8 each, so the fleet is not committed twice over.
    await b.sync();
    w.advance(1_000);
    await a.sync();
    expect(tickA()).toBe(4);
    expect(tickB()).toBe(4);
    await Promise.all([a.claims.settled(), b.claims.settled()]);
    w.advance(200);
    tickA();
    tickB();
    await Promise.all([a.claims.settled(), b.claims.settled()]);
    // What a decision released is not published as still claimed.
    a.own.publishClaims(new Map([[ta, 1]]), [{ tenantId: ta }], w.now() + 100);
    await a.claims.settled();
    expect(w.claimStore.docs.get("a")?.claims).toEqual([]);
    a.own.publishClaims(mineA, [], w.now() + 200);
    await a.claims.settled();
    // Same views: weights 1 and 3 split 8 slots 2 / 6, exactly the free slots.
    expect(a.own.budget(input(mineA))).toBe(2);
    expect(b.own.budget(input(mineB))).toBe(6);
    // b's tenant holds 6 slots already (its jobs in flight count against its share): 2 free go to a.
    usage.set(tb, { running: 6 });
    expect(a.own.budget({ ...input(mineA), free: 2 })).toBe(2);
    expect(b.own.budget({ ...input(mineB), free: 2 })).toBe(0);
    // a's tenant can take only 1 more (cap): the other free slot goes to b (work-conserving).
    quotas.set(ta, { ...quota(1), maxConcurrency: 1 });
    expect(a.own.budget({ ...input(mineA), free: 2 })).toBe(1);
    expect(b.own.budget({ ...input(mineB), free: 2 })).toBe(1);
    // What a knows of b's tenants (its fleet-wide fair-share gauges): b's claims as last read, no read.
    const reads = w.claimStore.reads;
    expect(a.own.peerClaims(w.now(), usage)).toEqual(new Map([[tb, 10]]));
    expect(w.claimStore.reads).toBe(reads);
    // A clean stop withdraws the claims.
    await a.own.releaseAll(async () => undefined);
    expect([...w.claimStore.docs.keys()]).toEqual(["b"]);
  });

  it("a steady round reads no tenant lease; a lease another replica took anyway is found lost by the renewal", async () => {
    const w = world();
    const a = w.replica("a");
    await a.sync();
    expect(a.owned()).toHaveLength(40);
    w.store.leaseReads = 0;
    for (let i = 0; i < 5; i += 1) {
      w.advance(1_000);
      await a.sync();
    }
    expect(w.store.leaseReads).toBe(0); // it used to read all 40 every round
    expect(a.owned()).toHaveLength(40);
    // A lease moved under it (say an operator freed it and another replica took it): the renewal matches
    // one lease fewer, and the round gives that tenant up (its lane stops) instead of releasing for it.
    const t = tenants[7]!;
    const l = w.store.leasesMap.get(t)!;
    w.store.leasesMap.set(t, { owner: "z", expiresAt: w.now() + 10_000, fence: l.fence + 1 });
    w.returned.length = 0;
    w.advance(1_000);
    await a.sync();
    expect(w.returned).toEqual([`a ${t}`]);
    expect(a.own.owns(t)).toBe(false);
    expect(a.owned()).toHaveLength(39);
  });
});
