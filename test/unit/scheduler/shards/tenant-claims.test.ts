import { describe, expect, it } from "vitest";
import { initialFairShareState } from "../../../../scheduler/fairshare/state.ts";
import { claimBases, tenantClaims } from "../../../../scheduler/shards/tenant-claims.ts";
import { snapshot, tid } from "../helpers.ts";

describe("claimBases", () => {
  // "deep" has more backlog than its cap (claim = cap); "shallow" and "woken" claim their backlog.
  const snaps = [
    { ...snapshot("deep", { weight: 3, maxConcurrency: 4 }, 50, 2), releasedToday: 90 },
    { ...snapshot("shallow", { weight: 1, maxConcurrency: 8 }, 3, 1), releasedToday: 12 },
    { ...snapshot("woken", { weight: 1, maxConcurrency: 8 }, 1), releasedToday: 0 },
  ];
  const mine = tenantClaims(snaps, initialFairShareState(), 0);

  it("gives a claim below the cap the day's releases plus those decided with it; none at the cap", () => {
    expect(mine).toEqual(
      new Map([
        [tid("deep"), 4],
        [tid("shallow"), 3],
        [tid("woken"), 1],
      ]),
    );
    const releases = [{ tenantId: tid("shallow") }, { tenantId: tid("shallow") }, { tenantId: tid("deep") }];
    expect(claimBases(snaps, mine, releases)).toEqual(
      new Map([
        [tid("shallow"), 14],
        [tid("woken"), 0],
      ]),
    );
  });

  it("leaves out tenants that claim nothing", () => {
    const quiet = [{ ...snapshot("idle", { weight: 1, maxConcurrency: 8 }, 0), releasedToday: 5 }];
    expect(claimBases(quiet, tenantClaims(quiet, initialFairShareState(), 0), [])).toEqual(new Map());
  });
});
