import { describe, expect, it } from "vitest";
import { SchedulerMetrics } from "../../../../scheduler/loop/metrics.ts";
import { parseSchedstat, runQueueClock } from "../../../../scheduler/loop/run-queue-wait.ts";

describe("the event-loop thread's run-queue wait", () => {
  it("reads the wait (ns → ms) and the timeslices of a schedstat line, and refuses other text", () => {
    expect(parseSchedstat("125859194 55371925 74\n")).toEqual({ waitMs: 55.371925, switches: 74 });
    expect(parseSchedstat("")).toBeUndefined();
    expect(parseSchedstat("1 2")).toBeUndefined();
    expect(parseSchedstat("n/a 1 2")).toBeUndefined();
  });

  it("reads this thread's figures on Linux, which never go backwards", () => {
    const clock = runQueueClock();
    expect(clock.available).toBe(process.platform === "linux");
    const a = clock.read();
    const b = clock.read();
    if (a !== undefined && b !== undefined) {
      expect(b.waitMs).toBeGreaterThanOrEqual(a.waitMs);
      expect(b.switches).toBeGreaterThanOrEqual(a.switches);
    }
  });

  it("times a decision: its result is returned and one sample recorded; own time is wall less the wait", () => {
    const m = new SchedulerMetrics();
    expect(m.timeDecision(() => 42)).toBe(42);
    expect(() =>
      m.timeDecision(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(m.decisionSamples()).toHaveLength(2);
    for (const s of m.decisionSamples()) {
      expect(s.waitMs).toBeGreaterThanOrEqual(0);
      expect(s.waitMs).toBeLessThanOrEqual(s.wallMs);
    }
    m.decision({ at: 0, wallMs: 10, cpuMs: 0.1, waitMs: 9.9 });
    const stats = m.decisionStats();
    expect(stats).toMatchObject({ count: 3, maxMs: 10, waitKnown: process.platform === "linux" });
    expect(stats.p99Ms).toBe(10);
    expect(stats.ownP99Ms).toBeLessThan(1);
    m.reset();
    expect(m.decisionStats().count).toBe(0);
  });
});
