import { describe, expect, it } from "vitest";
import { backloggedWeight, shareOffset, slotShare } from "../../../../scheduler/shards/slot-share.ts";

const reps = [
  { id: "a", weight: 1 },
  { id: "b", weight: 3 },
  { id: "c", weight: 0 },
];

describe("slotShare", () => {
  it("budgets of replicas that see the same inputs sum to the free slots, for any offset", () => {
    for (const free of [0, 1, 2, 3, 7, 16]) {
      for (const u of [0, 0.1, 0.25, 0.5, 0.74, 0.999]) {
        const sum = reps.reduce((s, r) => s + slotShare(free, r.id, reps, u), 0);
        expect(sum).toBe(free);
      }
    }
  });

  it("a replica with no backlogged weight takes nothing; nobody contending keeps all", () => {
    expect(slotShare(8, "c", reps, 0.3)).toBe(0);
    expect(slotShare(8, "a", [{ id: "a", weight: 0 }], 0.3)).toBe(8);
  });

  it("one slot at a time goes to each replica in proportion to its weight over many epochs", () => {
    let a = 0;
    let b = 0;
    for (let epoch = 0; epoch < 4_000; epoch += 1) {
      const u = shareOffset(epoch * 100);
      a += slotShare(1, "a", reps, u);
      b += slotShare(1, "b", reps, u);
    }
    expect(a + b).toBe(4_000);
    expect(a / 4_000).toBeGreaterThan(0.22);
    expect(a / 4_000).toBeLessThan(0.28);
  });

  it("backloggedWeight counts active tenants with backlog below their cap", () => {
    const q = (status: string, weight: number, maxConcurrency = 5) => ({ status, weight, maxConcurrency });
    const bl = (n: number) => ({ high: 0, normal: n, low: 0 });
    expect(
      backloggedWeight([
        { quota: q("active", 2), backlog: bl(3), running: 1 },
        { quota: q("active", 4), backlog: bl(0), running: 0 },
        { quota: q("active", 8, 2), backlog: bl(3), running: 2 },
        { quota: q("paused", 16), backlog: bl(3), running: 0 },
        { quota: undefined, backlog: bl(3), running: 0 },
        { quota: q("active", 1), backlog: { high: 1, normal: 0, low: 0 }, running: 0 },
      ]),
    ).toBe(3);
  });
});
