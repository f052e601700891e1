import { describe, expect, it } from "vitest";
import { backloggedWeight } from "../../../../scheduler/shards/slot-share.ts";

describe("backloggedWeight (published in the heartbeat for operators)", () => {
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
