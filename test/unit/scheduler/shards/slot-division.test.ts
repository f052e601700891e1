import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  burstCap,
  claimUnion,
  divideSlots,
  fairAllocation,
  publishedClaimNow,
  slotBudget,
  type TenantClaim,
} from "../../../../scheduler/shards/slot-division.ts";

const claim = (
  tenant: string,
  replica: string,
  weight: number,
  occupied: number,
  room: number,
  minimum = 0,
): TenantClaim => ({ tenant, replica, weight, occupied, room, minimum });

const sum = (xs: Iterable<number>) => [...xs].reduce((s, x) => s + x, 0);

const claimsArb = fc.array(
  fc.record({
    tenant: fc.integer({ min: 0, max: 30 }).map((i) => `t${i}`),
    replica: fc.constantFrom("a", "b", "c"),
    weight: fc.constantFrom(0.5, 1, 2, 3, 7.5),
    occupied: fc.integer({ min: 0, max: 12 }),
    room: fc.integer({ min: 0, max: 20 }),
    minimum: fc.integer({ min: 0, max: 3 }),
  }),
  { maxLength: 12 },
);
/** Each tenant once (as `claimUnion` makes them). */
const unique = (cs: TenantClaim[]) => [...new Map(cs.map((c) => [c.tenant, c])).values()];

describe("fairAllocation", () => {
  it("splits by weight, gives a small demand all it asks, and the rest to the others", () => {
    expect(fairAllocation(12, [claim("x", "a", 1, 0, 100), claim("y", "b", 3, 0, 100)])).toEqual([3, 9]);
    const a = fairAllocation(12, [
      claim("x", "a", 1, 0, 1),
      claim("y", "b", 1, 0, 100),
      claim("z", "b", 2, 0, 100),
    ]);
    expect(a[0]).toBe(1);
    expect(a[1]).toBeCloseTo(11 / 3, 9);
    expect(a[2]).toBeCloseTo(22 / 3, 9);
  });

  it("honours guaranteed minimums first, and splits by them when they alone exceed the capacity", () => {
    const a = fairAllocation(10, [claim("x", "a", 1, 0, 100, 4), claim("y", "b", 9, 0, 100)]);
    expect(a[0]).toBeCloseTo(4, 9);
    expect(a[1]).toBeCloseTo(6, 9);
    expect(fairAllocation(3, [claim("x", "a", 1, 0, 9, 4), claim("y", "b", 1, 0, 9, 2)])).toEqual([2, 1]);
  });

  it("property: sums to min(capacity, demand), within floors and demands, weighted max-min", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), claimsArb, (capacity, cs) => {
        const a = fairAllocation(capacity, cs);
        const demand = cs.map((c) => c.occupied + c.room);
        const floor = cs.map((c, i) => Math.min(c.minimum, demand[i]!));
        expect(sum(a)).toBeCloseTo(Math.min(capacity, sum(demand)), 6);
        const floorsFit = sum(floor) <= capacity;
        cs.forEach((c, i) => {
          expect(a[i]!).toBeLessThanOrEqual(demand[i]! + 1e-9);
          if (floorsFit) expect(a[i]!).toBeGreaterThanOrEqual(floor[i]! - 1e-9);
          // Nobody short of its demand has a lower level than anyone above its floor.
          cs.forEach((d, j) => {
            if (floorsFit && a[i]! < demand[i]! - 1e-6 && a[j]! > floor[j]! + 1e-6)
              expect(a[j]! / d.weight).toBeLessThanOrEqual(a[i]! / c.weight + 1e-6);
          });
        });
      }),
    );
  });
});

describe("divideSlots", () => {
  it("a replica whose busy tenant is over its allocation still gets the slot its woken tenant is owed", () => {
    // r-2's busy tenant holds half a slot more than its share, its woken tenant a whole slot less;
    // r-1's tenant is half a slot short. Netting r-2's tenants (+1 - 0.5) tied it with r-1 and the
    // slot went by id to r-1: the woken tenant waited for the busy one's jobs to end (bench tenants'
    // two-replica pickup tail). Deficits count per tenant now.
    const claims = [
      { tenant: "busy-x", replica: "r-2", weight: 1, occupied: 5, room: 10, minimum: 0 },
      { tenant: "woken", replica: "r-2", weight: 1, occupied: 0, room: 1, minimum: 0 },
      { tenant: "busy-y", replica: "r-1", weight: 1, occupied: 4, room: 10, minimum: 0 },
    ];
    expect([...divideSlots(1, claims)]).toEqual([
      ["r-1", 0],
      ["r-2", 1],
    ]);
  });

  it("replicas that see the same claims give out each free slot once, by weight", () => {
    const cs = [claim("x", "a", 1, 0, 50), claim("y", "b", 3, 0, 50)];
    expect(divideSlots(8, cs)).toEqual(
      new Map([
        ["a", 2],
        ["b", 6],
      ]),
    );
    expect(slotBudget(8, "a", cs) + slotBudget(8, "b", cs)).toBe(8);
    expect(slotBudget(8, "c", cs)).toBe(0);
  });

  it("counts jobs in flight against their tenant's share: a slot that frees goes to the replica below its share", () => {
    // Equal weights, 16 slots; a holds 9, b 6: the one free slot is b's.
    const cs = [claim("x", "a", 1, 9, 50), claim("y", "b", 1, 6, 50)];
    expect(divideSlots(1, cs)).toEqual(
      new Map([
        ["a", 0],
        ["b", 1],
      ]),
    );
  });

  it("is work-conserving: what a replica's tenants cannot use (cap, rate, too little backlog) goes to the others", () => {
    const cs = [claim("x", "a", 10, 0, 1), claim("q", "a", 5, 0, 1), claim("y", "b", 1, 0, 50)];
    expect(divideSlots(8, cs)).toEqual(
      new Map([
        ["a", 2],
        ["b", 6],
      ]),
    );
    expect(divideSlots(8, [claim("x", "a", 1, 0, 2)])).toEqual(new Map([["a", 2]]));
  });

  it("property: budgets sum to min(free, Σ room), none above its tenants' room, in any order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), claimsArb, fc.integer(), (free, raw, seed) => {
        const cs = unique(raw);
        const d = divideSlots(free, cs);
        expect(sum(d.values())).toBe(Math.min(free, sum(cs.map((c) => c.room))));
        for (const [r, b] of d) {
          expect(Number.isInteger(b) && b >= 0).toBe(true);
          expect(b).toBeLessThanOrEqual(sum(cs.filter((c) => c.replica === r).map((c) => c.room)));
        }
        const shuffled = [...cs].sort(
          (x, y) => ((x.tenant.length * 31 + seed) % 7) - ((y.tenant.length * 17 + seed) % 5),
        );
        expect(divideSlots(free, shuffled)).toEqual(d);
      }),
    );
  });

  it("property: replicas ticking in any order, one slot freeing at a time, release in proportion to weight", () => {
    // Tenants always backlogged, jobs all the same length: each step the oldest running job ends, then
    // the replicas tick in a random order, each releasing its budget to its own tenants (lowest
    // occupancy / weight first, as SFQ would). Release counts end up proportional to weight.
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 400, maxLength: 400 }), (order) => {
        const tenants = [
          { id: "x", replica: "a", weight: 3 },
          { id: "y", replica: "a", weight: 1 },
          { id: "z", replica: "b", weight: 2 },
          { id: "w", replica: "b", weight: 0.5 },
        ];
        const slots = 13;
        const running: string[] = [];
        const released = new Map(tenants.map((t) => [t.id, 0]));
        const occ = (id: string) => running.filter((r) => r === id).length;
        const tick = (replica: string) => {
          const cs = tenants.map((t) => claim(t.id, t.replica, t.weight, occ(t.id), 100));
          let budget = slotBudget(slots - running.length, replica, cs);
          while (budget-- > 0) {
            const mine = tenants.filter((t) => t.replica === replica);
            const next = mine.reduce((m, t) => (occ(t.id) / t.weight < occ(m.id) / m.weight ? t : m));
            running.push(next.id);
            released.set(next.id, released.get(next.id)! + 1);
          }
        };
        for (const first of order) {
          if (running.length > 0) running.shift();
          for (const r of first ? ["a", "b"] : ["b", "a"]) tick(r);
        }
        const total = sum(released.values());
        const weights = sum(tenants.map((t) => t.weight));
        for (const t of tenants) {
          const share = released.get(t.id)! / total / (t.weight / weights);
          expect(share).toBeGreaterThan(0.9);
          expect(share).toBeLessThan(1.1);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe("claimUnion", () => {
  const quotas = new Map([
    ["x", { status: "active", weight: 2, maxConcurrency: 5, minConcurrency: 1 }],
    ["y", { status: "active", weight: 1, maxConcurrency: 3, minConcurrency: 0 }],
    ["p", { status: "paused", weight: 1, maxConcurrency: 3, minConcurrency: 0 }],
  ]);

  it("takes this replica's claims fresh, the others' latest, room under the cap from the counters", () => {
    const cs = claimUnion({
      me: "a",
      mine: new Map([["x", 4]]),
      others: [
        {
          replicaId: "b",
          at: 10,
          claims: [
            { tenant: "x", claim: 9 },
            { tenant: "y", claim: 9 },
          ],
        },
        {
          replicaId: "c",
          at: 20,
          claims: [
            { tenant: "y", claim: 2 },
            { tenant: "p", claim: 5 },
            { tenant: "u", claim: 5 },
          ],
        },
      ],
      usage: new Map([
        ["x", { running: 3, parked: 1 }],
        ["y", { running: 0 }],
      ]),
      quotas,
    });
    expect(cs).toEqual([
      { tenant: "x", replica: "a", weight: 2, occupied: 2, room: 2, minimum: 1 },
      { tenant: "y", replica: "c", weight: 1, occupied: 0, room: 2, minimum: 0 },
    ]);
  });

  it("leaves out a tenant at its cap (its jobs in flight hold slots outside the division)", () => {
    const cs = claimUnion({
      me: "a",
      mine: new Map([["y", 4]]),
      others: [],
      usage: new Map([["y", { running: 3 }]]),
      quotas,
    });
    expect(cs).toEqual([]);
  });
});

describe("publishedClaimNow", () => {
  const usage = new Map([["x", { running: 2, releasedToday: 7 }]]);

  it("takes off the releases the counters show since the claim's basis", () => {
    expect(publishedClaimNow({ tenant: "x", claim: 3, basis: 5 }, usage)).toBe(1);
    expect(publishedClaimNow({ tenant: "x", claim: 3, basis: 7 }, usage)).toBe(3);
    expect(publishedClaimNow({ tenant: "x", claim: 1, basis: 5 }, usage)).toBe(0);
  });

  it("leaves a claim without a basis (at the cap), an unknown counter or a counter below it as is", () => {
    expect(publishedClaimNow({ tenant: "x", claim: 3 }, usage)).toBe(3);
    expect(publishedClaimNow({ tenant: "y", claim: 3, basis: 5 }, usage)).toBe(3);
    // A new UTC day (the counter restarts) or a refund: nothing taken off.
    expect(publishedClaimNow({ tenant: "x", claim: 3, basis: 9 }, usage)).toBe(3);
  });
});

describe("two replicas dividing one free slot while a publication is stale", () => {
  // Replica b owns "w" (weight 3), which woke with one job; b released it at its last tick (its
  // release count went 4 -> 5, running 0 -> 1) but a still reads b's publication from before:
  // w claiming 1, basis 4. Replica a owns "busy" (weight 1), deep in backlog, 3 running of cap 10.
  const quotas = new Map([
    ["w", { status: "active", weight: 3, maxConcurrency: 4, minConcurrency: 0 }],
    ["busy", { status: "active", weight: 1, maxConcurrency: 10, minConcurrency: 0 }],
  ]);
  const usage = new Map([
    ["w", { running: 1, releasedToday: 5 }],
    ["busy", { running: 3, releasedToday: 40 }],
  ]);
  const aView = (basis: number | undefined) =>
    slotBudget(
      1,
      "a",
      claimUnion({
        me: "a",
        mine: new Map([["busy", 10]]),
        others: [
          {
            replicaId: "b",
            at: 1,
            claims: [{ tenant: "w", claim: 1, ...(basis !== undefined ? { basis } : {}) }],
          },
        ],
        usage,
        quotas,
      }),
    );
  // b knows w has nothing left; it divides with a's (fresh enough) claim for "busy".
  const bView = slotBudget(
    1,
    "b",
    claimUnion({
      me: "b",
      mine: new Map(),
      others: [{ replicaId: "a", at: 1, claims: [{ tenant: "busy", claim: 10 }] }],
      usage,
      quotas,
    }),
  );

  it("without a basis, a defers the slot to w and b leaves it to a: nobody takes it", () => {
    expect(bView).toBe(0);
    expect(aView(undefined)).toBe(0);
  });

  it("with the basis, a sees w's claim used up by b's release and takes the slot", () => {
    expect(aView(4)).toBe(1);
    expect(aView(4) + bView).toBe(1);
  });
});

describe("burstCap", () => {
  it("is a replica's part of the free slots, rounded up: one free slot is never held back", () => {
    expect(burstCap(20, 2)).toBe(10);
    expect(burstCap(7, 2)).toBe(4);
    expect(burstCap(1, 3)).toBe(1);
    expect(burstCap(0, 2)).toBe(0);
    // Nonsense inputs divide by one replica and never go negative.
    expect(burstCap(5, 0)).toBe(5);
    expect(burstCap(-3, 2)).toBe(0);
    expect(burstCap(Number.NaN, 2)).toBe(0);
  });

  it("n replicas at their caps take at most the free slots between them, plus one each at most", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 20 }), (free, n) => {
        const total = burstCap(free, n) * n;
        expect(total).toBeGreaterThanOrEqual(free);
        expect(total).toBeLessThan(free + n);
      }),
    );
  });
});
