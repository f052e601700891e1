import { describe, expect, it } from "vitest";
import { tenantId, type TenantId } from "../../../../shared/tenancy/tenant-id.ts";
import { assignTenants } from "../../../../scheduler/shards/assign.ts";

const tenants: TenantId[] = Array.from({ length: 40 }, (_, i) => tenantId(`t${String(i).padStart(2, "0")}`));
const counts = (m: Map<TenantId, string>) => {
  const c = new Map<string, number>();
  for (const r of m.values()) c.set(r, (c.get(r) ?? 0) + 1);
  return c;
};

describe("assignTenants (rendezvous hashing with bounded loads)", () => {
  it("gives every tenant exactly one replica, and one replica all of them", () => {
    const one = assignTenants(tenants, ["a"]);
    expect(one.size).toBe(40);
    expect(new Set(one.values())).toEqual(new Set(["a"]));
    expect(assignTenants(tenants, []).size).toBe(0);
  });

  it("splits 40 tenants 20/20 over two replicas, and none over ceil(40/3) = 14 over three", () => {
    expect([...counts(assignTenants(tenants, ["a", "b"])).values()].sort()).toEqual([20, 20]);
    const three = [...counts(assignTenants(tenants, ["a", "b", "c"])).values()];
    expect(three.reduce((x, y) => x + y, 0)).toBe(40);
    for (const n of three) expect(n).toBeLessThanOrEqual(14);
  });

  it("is the same whatever order the inputs come in (every replica computes the same answer)", () => {
    const x = assignTenants(tenants, ["s1", "s2", "s3"]);
    const y = assignTenants([...tenants].reverse(), ["s3", "s1", "s2"]);
    expect([...y].sort()).toEqual([...x].sort());
  });

  it("a joining replica takes about a share, mostly from each; a leaving one's tenants are the only ones to move", () => {
    const two = assignTenants(tenants, ["a", "b"]);
    const three = assignTenants(tenants, ["a", "b", "c"]);
    const moved = tenants.filter((t) => two.get(t) !== three.get(t));
    const toC = tenants.filter((t) => three.get(t) === "c");
    expect(toC.length).toBeGreaterThanOrEqual(12);
    expect(toC.length).toBeLessThanOrEqual(14);
    // Bounded loads cost a few moves beyond the minimum (13), never a reshuffle.
    expect(moved.length).toBeLessThanOrEqual(20);
    const back = assignTenants(tenants, ["a", "b"]);
    expect([...back]).toEqual([...two]);
  });
});
