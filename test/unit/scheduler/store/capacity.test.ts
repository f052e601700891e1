import { describe, expect, it } from "vitest";
import { releasable, sumFreeSlots, WorkerHeartbeatSchema } from "../../../../scheduler/store/capacity.ts";

describe("fleet capacity (pure)", () => {
  it("sums free slots of live workers only, never negative per worker", () => {
    const now = 100_000;
    const workers = [
      { workerId: "a", slots: 8, busy: 2, at: now },
      { workerId: "b", slots: 4, busy: 9, at: now },
      { workerId: "c", slots: 8, busy: 0, at: now - 15_000 },
      { workerId: "d", slots: 8, busy: 0, at: now - 15_001 },
    ];
    expect(sumFreeSlots(workers, now, 15_000)).toBe(14);
    expect(sumFreeSlots([], now, 15_000)).toBe(0);
  });

  it("releasable subtracts the work queue's waiting messages and caps its depth", () => {
    expect(releasable({ freeSlots: 10, workQueue: { visible: 0 }, maxQueueDepth: 100 })).toBe(10);
    expect(releasable({ freeSlots: 10, workQueue: { visible: 4, delayed: 2 }, maxQueueDepth: 100 })).toBe(4);
    expect(releasable({ freeSlots: 500, workQueue: { visible: 90 }, maxQueueDepth: 100 })).toBe(10);
    expect(releasable({ freeSlots: 500, workQueue: { visible: 150 }, maxQueueDepth: 100 })).toBe(0);
    expect(releasable({ freeSlots: 3, workQueue: { visible: 10 }, maxQueueDepth: 100 })).toBe(0);
  });

  it("validates heartbeats and accepts a Date for `at`", () => {
    expect(
      WorkerHeartbeatSchema.parse({ workerId: "w", slots: 1, busy: 0, at: new Date(5), extra: 1 }),
    ).toEqual({
      workerId: "w",
      slots: 1,
      busy: 0,
      at: 5,
    });
    expect(WorkerHeartbeatSchema.safeParse({ workerId: "w", slots: -1, busy: 0, at: 1 }).success).toBe(false);
  });

  it("keeps a worker's prefetch (for the release lead) and refuses a negative one", () => {
    expect(WorkerHeartbeatSchema.parse({ workerId: "w", slots: 8, busy: 0, at: 1, prefetch: 2 })).toEqual({
      workerId: "w",
      slots: 8,
      busy: 0,
      at: 1,
      prefetch: 2,
    });
    expect(
      WorkerHeartbeatSchema.safeParse({ workerId: "w", slots: 8, busy: 0, at: 1, prefetch: -1 }).success,
    ).toBe(false);
  });
});
