import { describe, expect, it } from "vitest";
import { tenantId } from "../../../../shared/tenancy/tenant-id.ts";
import {
  planLeases,
  provable,
  type HeldLease,
  type LeaseView,
} from "../../../../scheduler/shards/lease-plan.ts";

const [a, b, c, d, e] = ["ta", "tb", "tc", "td", "te"].map((t) => tenantId(t)) as [
  ReturnType<typeof tenantId>,
  ReturnType<typeof tenantId>,
  ReturnType<typeof tenantId>,
  ReturnType<typeof tenantId>,
  ReturnType<typeof tenantId>,
];
const now = 100_000;
const margin = 2_500;

describe("planLeases", () => {
  it("keeps what it holds and should own, releases what it should not, takes free/expired/missing, leaves live foreign leases", () => {
    const stored = new Map<ReturnType<typeof tenantId>, LeaseView>([
      [a, { owner: "me", expiresAt: now + 8_000, fence: 3 }],
      [b, { owner: "me", expiresAt: now + 8_000, fence: 1 }],
      [c, { owner: null, expiresAt: now - 1, fence: 4 }],
      [d, { owner: "other", expiresAt: now + 5_000, fence: 2 }],
      [e, { owner: "dead", expiresAt: now, fence: 7 }],
    ]);
    const held = new Map<ReturnType<typeof tenantId>, HeldLease>([
      [a, { fence: 3, expiresAt: now + 8_000 }],
      [b, { fence: 1, expiresAt: now + 8_000 }],
    ]);
    const plan = planLeases({
      me: "me",
      now,
      marginMs: margin,
      target: new Set([a, c, d, e, tenantId("tf")]),
      stored,
      held,
    });
    expect(plan.lost).toEqual([]);
    expect(plan.keep).toEqual([a]);
    expect(plan.release).toEqual([{ tenant: b, fence: 1 }]);
    expect(plan.acquire).toEqual([
      { tenant: c, fence: 4 },
      { tenant: e, fence: 7 },
      { tenant: tenantId("tf"), fence: null },
    ]);
  });

  it("a lease taken by another replica, taken again (new fence), or within the margin is lost", () => {
    const stored = new Map<ReturnType<typeof tenantId>, LeaseView>([
      [a, { owner: "other", expiresAt: now + 9_000, fence: 4 }],
      [b, { owner: "me", expiresAt: now + 9_000, fence: 2 }],
      [c, { owner: "me", expiresAt: now + 2_000, fence: 5 }],
    ]);
    const held = new Map<ReturnType<typeof tenantId>, HeldLease>([
      [a, { fence: 3, expiresAt: now + 1_000 }],
      [b, { fence: 1, expiresAt: now + 9_000 }],
      [c, { fence: 5, expiresAt: now + 2_000 }],
    ]);
    const plan = planLeases({ me: "me", now, marginMs: margin, target: new Set([a, b, c]), stored, held });
    expect(plan.lost).toEqual([a, b, c]);
    expect(plan.keep).toEqual([]);
    // Its own leases are taken again with a new fence (their lanes restarted); the foreign one is left.
    expect(plan.acquire).toEqual([
      { tenant: b, fence: 2 },
      { tenant: c, fence: 5 },
    ]);
  });

  it("provable needs more than the margin left", () => {
    expect(provable({ fence: 1, expiresAt: now + margin + 1 }, now, margin)).toBe(true);
    expect(provable({ fence: 1, expiresAt: now + margin }, now, margin)).toBe(false);
    expect(provable(undefined, now, margin)).toBe(false);
  });
});
