import { describe, expect, it } from "vitest";
import { peerTenantViews } from "../../../../scheduler/loop/summary.ts";
import { tid } from "../helpers.ts";

describe("peerTenantViews", () => {
  const q = { status: "active", weight: 2 } as never;

  it("lists the tenants this replica does not serve that run jobs or are claimed by their owner", () => {
    const served = new Map([[tid("mine"), {}]]);
    const usage = new Map([
      [tid("mine"), { running: 3 }],
      [tid("busy"), { running: 2 }],
      [tid("done"), { running: 0 }],
    ]);
    const claims = new Map([
      ["busy", 5],
      ["woken", 1],
      ["mine", 9],
    ]);
    const quotas = new Map([[tid("busy"), q]]);
    expect(peerTenantViews(served, usage, claims, quotas)).toEqual(
      new Map([
        [tid("busy"), { quota: q, running: 2, backlog: 5 }],
        [tid("woken"), { quota: undefined, running: 0, backlog: 1 }],
      ]),
    );
  });
});
