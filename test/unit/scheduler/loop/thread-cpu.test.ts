import { describe, expect, it } from "vitest";
import { SchedulerMetrics } from "../../../../scheduler/loop/metrics.ts";
import { parseSchedstat, threadCpuClock } from "../../../../scheduler/loop/thread-cpu.ts";

describe("the event-loop thread's CPU clock", () => {
  it("reads the first schedstat field (ns) as ms and refuses other text", () => {
    expect(parseSchedstat("125859194 55371925 74\n")).toBeCloseTo(125.859194);
    expect(parseSchedstat("")).toBeUndefined();
    expect(parseSchedstat("n/a 1 2")).toBeUndefined();
  });

  it("never goes backwards and counts the thread's own work", () => {
    const clock = threadCpuClock();
    if (process.platform === "linux") expect(clock.source).toBe("thread");
    const a = clock.now();
    let x = 0;
    for (let i = 0; i < 5_000_000; i++) x += i % 7;
    const b = clock.now();
    expect(x).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
  });

  it("times a decision: its result is returned and one sample recorded with both times", () => {
    const m = new SchedulerMetrics();
    expect(m.timeDecision(() => 42)).toBe(42);
    expect(() =>
      m.timeDecision(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    const samples = m.decisionSamples();
    expect(samples).toHaveLength(2);
    for (const s of samples) {
      expect(s.wallMs).toBeGreaterThanOrEqual(0);
      expect(s.cpuMs).toBeGreaterThanOrEqual(0);
    }
    expect(m.decisionStats()).toMatchObject({
      count: 2,
      cpuSource: process.platform === "linux" ? "thread" : "process",
    });
    m.reset();
    expect(m.decisionStats().count).toBe(0);
  });
});
