import { describe, expect, it } from "vitest";
import {
  defaultPrefetch,
  intakePolicy,
  planReceive,
  type IntakeState,
} from "../../../workers/receive-plan.ts";

/** An 8-slot worker prefetching 2 (the fairness benchmark's workers). */
const policy = intakePolicy(8, 2);
const state = (s: Partial<IntakeState>): IntakeState => ({
  free: 0,
  held: 0,
  inFlight: [],
  workWaiting: false,
  prefetch: 2,
  refillDue: false,
  refillAllowed: true,
  ...s,
});

describe("planReceive", () => {
  it("long-polls for the free slots only while no work is known to wait", () => {
    expect(planReceive(state({ free: 8 }), policy)).toEqual({
      kind: "receive",
      size: 8,
      forSlots: 8,
      longPoll: true,
    });
  });

  it("asks for the prefetch on top of the free slots while work is waiting (at most 10)", () => {
    expect(planReceive(state({ free: 1, workWaiting: true }), policy)).toMatchObject({
      size: 3,
      forSlots: 1,
    });
    expect(planReceive(state({ free: 9, workWaiting: true }), intakePolicy(16, 4))).toMatchObject({
      size: 10,
      forSlots: 9,
    });
  });

  it("a slot freed while a long poll for fewer slots is out gets a receive at once", () => {
    const inFlight = [{ size: 1, forSlots: 1 }];
    expect(planReceive(state({ free: 2, inFlight }), policy)).toEqual({
      kind: "receive",
      size: 1,
      forSlots: 1,
      longPoll: true,
    });
    expect(planReceive(state({ free: 1, inFlight }), policy)).toEqual({ kind: "none" });
  });

  it("with work waiting, a receive out covers all it asked for, and a further one must be a batch", () => {
    const big = intakePolicy(32, 8);
    const inFlight = [{ size: 10, forSlots: 2 }];
    // 5 free, 10 coming: no slot uncovered; the 3 more held messages wanted are a small refill.
    expect(planReceive(state({ free: 5, inFlight, workWaiting: true, prefetch: 8 }), big)).toEqual({
      kind: "later",
    });
    // 14 free: 4 uncovered, and 12 wanted: a full batch goes out beside it.
    expect(planReceive(state({ free: 14, inFlight, workWaiting: true, prefetch: 8 }), big)).toMatchObject({
      kind: "receive",
      size: 10,
    });
  });

  it("refills held messages with short polls, batched when small", () => {
    expect(planReceive(state({ held: 0, workWaiting: true }), policy)).toEqual({
      kind: "receive",
      size: 2,
      forSlots: 0,
      longPoll: false,
    });
    expect(planReceive(state({ held: 1, workWaiting: true }), policy)).toEqual({ kind: "later" });
    expect(planReceive(state({ held: 1, workWaiting: true, refillDue: true }), policy)).toMatchObject({
      kind: "receive",
      size: 1,
      longPoll: false,
    });
    expect(planReceive(state({ held: 2, workWaiting: true }), policy)).toEqual({ kind: "none" });
  });

  it("refills once per freed slot on a drained queue, and not at all with prefetch off", () => {
    expect(planReceive(state({ held: 0, workWaiting: false }), policy)).toMatchObject({
      kind: "receive",
      size: 2,
      longPoll: false,
    });
    expect(planReceive(state({ held: 0, refillAllowed: false }), policy)).toEqual({ kind: "none" });
    expect(planReceive(state({ held: 0, workWaiting: true, prefetch: 0 }), policy)).toEqual({ kind: "none" });
  });

  it("never has more receives out than the policy allows", () => {
    const inFlight = Array.from({ length: policy.maxInFlight }, () => ({ size: 1, forSlots: 1 }));
    expect(planReceive(state({ free: 8, inFlight }), policy)).toEqual({ kind: "none" });
  });
});

describe("defaultPrefetch", () => {
  it("is a quarter of the slots, at least 1", () => {
    expect([1, 4, 8, 32].map(defaultPrefetch)).toEqual([1, 1, 2, 8]);
  });
});
