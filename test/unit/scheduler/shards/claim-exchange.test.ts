import { describe, expect, it } from "vitest";
import { ClaimExchange } from "../../../../scheduler/shards/claim-exchange.ts";
import type { ClaimStore } from "../../../../scheduler/shards/claim-store.ts";
import { MemoryClaimStore } from "../../../support/memory-claim-store.ts";
import { silentLogger } from "../../../../shared/log/logger.ts";

const exchange = (store: ClaimStore, id: string) =>
  new ClaimExchange(
    { store, replicaId: id, log: silentLogger() },
    { publishMs: 50, refreshMs: 100, ttlMs: 5_000 },
  );

describe("ClaimExchange", () => {
  it("publishes claims when they change, not at every offer, and renews them before they expire", async () => {
    const store = new MemoryClaimStore();
    const a = exchange(store, "a");
    a.offer(new Map([["t1", 16]]), 1_000);
    await a.settled();
    a.offer(new Map([["t1", 16]]), 1_060);
    a.offer(new Map([["t1", 16]]), 1_200);
    await a.settled();
    expect(store.writes).toBe(1);
    a.offer(new Map([["t1", 3]]), 1_220);
    await a.settled();
    expect(store.writes).toBe(2);
    expect(store.docs.get("a")?.claims).toEqual([{ tenant: "t1", claim: 3 }]);
    a.offer(new Map([["t1", 3]]), 1_220 + 2_500);
    await a.settled();
    expect(store.writes).toBe(3);
    expect(store.docs.get("a")?.expiresAt).toBe(1_220 + 2_500 + 5_000);
  });

  it("publishes a claim's basis with it, and again when only the basis moved", async () => {
    const store = new MemoryClaimStore();
    const a = exchange(store, "a");
    const claims = new Map([
      ["deep", 16],
      ["shallow", 2],
    ]);
    a.offer(claims, 1_000, new Map([["shallow", 40]]));
    await a.settled();
    expect(store.docs.get("a")?.claims).toEqual([
      { tenant: "deep", claim: 16 },
      { tenant: "shallow", claim: 2, basis: 40 },
    ]);
    // Two more messages came and two were released: the claim is the same, its basis is not.
    a.offer(claims, 1_100, new Map([["shallow", 42]]));
    await a.settled();
    expect(store.writes).toBe(2);
    expect(store.docs.get("a")?.claims[1]).toEqual({ tenant: "shallow", claim: 2, basis: 42 });
  });

  it("a change sooner than publishMs waits for a later offer; an empty publication is not renewed", async () => {
    const store = new MemoryClaimStore();
    const a = exchange(store, "a");
    a.offer(new Map([["t1", 2]]), 1_000);
    await a.settled();
    a.offer(new Map(), 1_010);
    await a.settled();
    expect(store.docs.get("a")?.claims).toEqual([{ tenant: "t1", claim: 2 }]);
    a.offer(new Map(), 1_060);
    await a.settled();
    expect(store.docs.get("a")?.claims).toEqual([]);
    a.offer(new Map(), 9_000);
    await a.settled();
    expect(store.writes).toBe(2);
  });

  it("reads the others' unexpired claims at most every refreshMs, without its own", async () => {
    const store = new MemoryClaimStore();
    const a = exchange(store, "a");
    const b = exchange(store, "b");
    a.offer(new Map([["t1", 1]]), 1_000);
    b.offer(new Map([["t2", 4]]), 1_000);
    expect(a.others(1_000)).toEqual([]);
    await Promise.all([a.settled(), b.settled()]);
    expect(a.others(1_050).map((d) => d.replicaId)).toEqual(["b"]);
    expect(store.reads).toBe(1);
    a.others(1_100);
    await a.settled();
    expect(store.reads).toBe(2);
    expect(a.others(1_100)[0]?.claims).toEqual([{ tenant: "t2", claim: 4 }]);
    // b's publication expires: gone from the view even before the next read.
    expect(a.others(6_001)).toEqual([]);
  });

  it("a tenant is unconfirmed until a read began after a publication that holds it was written", async () => {
    const store = new MemoryClaimStore();
    const a = exchange(store, "a");
    const mine = new Map([["t1", 2]]);
    expect(a.unconfirmed(mine)).toBe(true);
    expect(a.unconfirmed(new Map([["t1", 0]]))).toBe(false);
    // A read that began before the write: the others may have read before it too.
    a.others(1_000);
    a.offer(mine, 1_000);
    await a.settled();
    expect(a.unconfirmed(mine)).toBe(true);
    a.others(1_100);
    await a.settled();
    expect(a.unconfirmed(mine)).toBe(false);
    // A new tenant is unconfirmed again until its own publication is followed by a read.
    const more = new Map([...mine, ["t2", 1]]);
    expect(a.unconfirmed(more)).toBe(true);
    a.offer(more, 1_200);
    await a.settled();
    a.others(1_300);
    await a.settled();
    expect(a.unconfirmed(more)).toBe(false);
    await a.withdraw();
    expect(a.unconfirmed(mine)).toBe(true);
  });

  it("a failed write is retried at the next offer; withdraw deletes the document", async () => {
    const store = new MemoryClaimStore();
    const a = exchange(store, "a");
    store.failNext = true;
    a.offer(new Map([["t1", 1]]), 1_000);
    await a.settled();
    expect(a.counts.failures).toBe(1);
    expect(store.docs.size).toBe(0);
    a.offer(new Map([["t1", 1]]), 1_100);
    await a.settled();
    expect(store.docs.size).toBe(1);
    await a.withdraw();
    expect(store.docs.size).toBe(0);
  });
});
