import { describe, expect, it } from "vitest";
import {
  acquireWindow,
  expiredKeys,
  recentAcquires,
  reconcileDecision,
  utcDay,
} from "../../../../shared/usage/usage-math.ts";

describe("usage accounting math", () => {
  it("keys daily counters by UTC date", () => {
    expect(utcDay(Date.UTC(2026, 2, 1, 23, 59, 59, 999))).toBe("2026-03-01");
    expect(utcDay(Date.UTC(2026, 2, 2))).toBe("2026-03-02");
  });

  it("counts acquisitions of the current and previous window as possibly pending", () => {
    const now = 1_000_000;
    const w = acquireWindow(now, 10_000);
    expect(recentAcquires({ [w]: 2, [w - 1]: 3, [w - 2]: 50 }, now, 10_000)).toBe(5);
    expect(recentAcquires(undefined, now, 10_000)).toBe(0);
  });

  it("moves the counter only when it is outside [inFlight, inFlight + pending]", () => {
    expect(reconcileDecision({ running: 5, inFlight: 2, pending: 3 })).toEqual({ kind: "in-sync" });
    expect(reconcileDecision({ running: 2, inFlight: 2, pending: 0 })).toEqual({ kind: "in-sync" });
    expect(reconcileDecision({ running: 6, inFlight: 2, pending: 3 })).toEqual({
      kind: "set",
      to: 5,
      why: "leaked",
    });
    expect(reconcileDecision({ running: 9, inFlight: 0, pending: 0 })).toEqual({
      kind: "set",
      to: 0,
      why: "leaked",
    });
    expect(reconcileDecision({ running: 1, inFlight: 4, pending: 2 })).toEqual({
      kind: "set",
      to: 6,
      why: "undercounted",
    });
  });

  it("never lowers below what may still be true (property over small ranges)", () => {
    for (let running = 0; running < 8; running += 1)
      for (let inFlight = 0; inFlight < 8; inFlight += 1)
        for (let pending = 0; pending < 4; pending += 1) {
          const d = reconcileDecision({ running, inFlight, pending });
          const after = d.kind === "set" ? d.to : running;
          expect(after).toBeGreaterThanOrEqual(inFlight);
          if (running >= inFlight)
            expect(after).toBeGreaterThanOrEqual(Math.min(running, inFlight + pending));
        }
  });

  it("prunes daily counters past the retention and acquisition windows before the previous one", () => {
    const now = Date.UTC(2026, 2, 10, 12);
    const w = acquireWindow(now, 10_000);
    const keys = expiredKeys(
      {
        daily: { "2026-03-01": 1, "2026-03-03": 1, "2026-03-10": 1 },
        acq: { [w]: 1, [w - 1]: 1, [w - 2]: 1 },
      },
      now,
      10_000,
      7,
    );
    expect(keys.sort()).toEqual(["acq." + String(w - 2), "daily.2026-03-01"].sort());
  });
});
