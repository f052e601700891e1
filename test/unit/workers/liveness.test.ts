import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../shared/log/logger.ts";
import { CapacityReporter } from "../../../workers/capacity-reporter.ts";
import { feederStall, judgeLiveness, type LivenessPolicy } from "../../../workers/liveness.ts";
import { Watchdog } from "../../../workers/watchdog.ts";
import type { FeederLiveness } from "../../../workers/work-feeder.ts";
import { sumFreeSlots, type WorkerHeartbeatInput } from "../../../scheduler/store/capacity.ts";

const policy: LivenessPolicy = {
  stallMs: 10_000,
  hungReceiveMs: 30_000,
  maxRestarts: 3,
  exitAfterMs: 120_000,
};

const feeder = (over: Partial<FeederLiveness> = {}): FeederLiveness => ({
  now: 100_000,
  started: true,
  stopped: false,
  free: 2,
  open: true,
  inFlightSince: [],
  lastReceiveAt: 99_000,
  lastOkAt: 99_000,
  restartedAt: undefined,
  failures: 0,
  ...over,
});

describe("liveness decision (issue 9 bug A)", () => {
  it("is ok while a receive is out, recent, or no slot is free", () => {
    expect(
      judgeLiveness({ feeder: feeder(), restartsSinceOk: 0, dependencyDownMs: undefined }, policy),
    ).toEqual({
      kind: "ok",
      healthy: true,
    });
    expect(feederStall(feeder({ inFlightSince: [80_000], lastReceiveAt: 80_000 }), policy)).toBeUndefined();
    expect(feederStall(feeder({ free: 0, lastReceiveAt: 1 }), policy)).toBeUndefined();
    expect(feederStall(feeder({ open: false, lastReceiveAt: 1 }), policy)).toBeUndefined();
  });

  it("restarts a feeder with free slots that stopped polling, or whose receive hangs", () => {
    const idle = feeder({ lastReceiveAt: 85_000, lastOkAt: 80_000, failures: 2 });
    expect(
      judgeLiveness({ feeder: idle, restartsSinceOk: 0, dependencyDownMs: undefined }, policy),
    ).toMatchObject({
      kind: "restart",
      reason: expect.stringContaining("no receive for 15000 ms") as unknown,
    });
    const hung = feeder({ inFlightSince: [60_000], lastReceiveAt: 60_000 });
    expect(
      judgeLiveness({ feeder: hung, restartsSinceOk: 1, dependencyDownMs: undefined }, policy).kind,
    ).toBe("restart");
    // A restart counts as activity: not stalled again before stallMs.
    expect(feederStall(feeder({ lastReceiveAt: 10_000, restartedAt: 95_000 }), policy)).toBeUndefined();
  });

  it("gives up (exit) after maxRestarts, a long outage of the queue, or MongoDB down too long", () => {
    const idle = feeder({ lastReceiveAt: 80_000, lastOkAt: 80_000 });
    expect(
      judgeLiveness({ feeder: idle, restartsSinceOk: 3, dependencyDownMs: undefined }, policy).kind,
    ).toBe("exit");
    const failing = feeder({ lastReceiveAt: 99_900, lastOkAt: -30_000, failures: 130 });
    expect(
      judgeLiveness({ feeder: failing, restartsSinceOk: 0, dependencyDownMs: undefined }, policy),
    ).toMatchObject({ kind: "exit", reason: expect.stringContaining("work queue unreachable") as unknown });
    expect(
      judgeLiveness(
        { feeder: feeder({ failures: 3 }), restartsSinceOk: 0, dependencyDownMs: undefined },
        policy,
      ),
    ).toEqual({ kind: "ok", healthy: false });
    expect(judgeLiveness({ feeder: feeder(), restartsSinceOk: 0, dependencyDownMs: 5_000 }, policy)).toEqual({
      kind: "ok",
      healthy: false,
    });
    expect(
      judgeLiveness({ feeder: feeder(), restartsSinceOk: 0, dependencyDownMs: 120_000 }, policy).kind,
    ).toBe("exit");
  });
});

describe("Watchdog", () => {
  it("restarts a stalled feeder, counts restarts until a receive succeeds, then gives up once", () => {
    let state = feeder({ lastReceiveAt: 50_000, lastOkAt: 50_000 });
    const restarts: number[] = [];
    const gaveUp: string[] = [];
    const dog = new Watchdog({
      feeder: {
        liveness: () => state,
        restart: () => {
          restarts.push(state.now);
          state = { ...state, restartedAt: state.now };
        },
      },
      dependencyDownMs: () => undefined,
      policy,
      intervalMs: 1000,
      log: silentLogger(),
      onUnrecoverable: (r) => gaveUp.push(r),
    });
    expect(dog.check().kind).toBe("restart");
    expect(dog.healthy).toBe(false);
    // The restart worked: a receive succeeded, the count starts afresh.
    state = { ...state, now: 101_000, lastReceiveAt: 100_500, lastOkAt: 100_900 };
    expect(dog.check()).toEqual({ kind: "ok", healthy: true });
    expect(dog.healthy).toBe(true);
    // Now it stalls for good: three restarts, then the worker gives up, once.
    for (let i = 1; i <= 3; i++) {
      state = { ...state, now: state.now + 20_000 };
      expect(dog.check().kind).toBe("restart");
    }
    state = { ...state, now: state.now + 20_000 };
    expect(dog.check().kind).toBe("exit");
    expect(dog.check().kind).toBe("exit");
    expect(restarts).toHaveLength(4);
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toContain("intake stalled after 3 restarts");
    expect(dog.healthy).toBe(false);
  });
});

describe("capacity heartbeats report health", () => {
  it("an unhealthy worker's slots are not free capacity", () => {
    const now = 100_000;
    const workers = [
      { workerId: "a", slots: 8, busy: 2, at: now },
      { workerId: "b", slots: 8, busy: 0, at: now, healthy: false as const },
    ];
    expect(sumFreeSlots(workers, now, 15_000)).toBe(6);
  });

  it("the reporter sends the worker's health with every beat", async () => {
    const beats: WorkerHeartbeatInput[] = [];
    let healthy = true;
    const r = new CapacityReporter({
      capacity: { heartbeat: async (hb) => void beats.push(hb), remove: async () => undefined },
      workerId: "w1",
      slots: 4,
      busy: () => 1,
      healthy: () => healthy,
      now: () => 7,
      log: silentLogger(),
    });
    await r.beat();
    healthy = false;
    await r.beat();
    expect(beats).toEqual([
      { workerId: "w1", slots: 4, busy: 1, healthy: true, at: 7 },
      { workerId: "w1", slots: 4, busy: 1, healthy: false, at: 7 },
    ]);
  });

  it("the reporter sends the worker's prefetch when it has one", async () => {
    const beats: WorkerHeartbeatInput[] = [];
    const r = new CapacityReporter({
      capacity: { heartbeat: async (hb) => void beats.push(hb), remove: async () => undefined },
      workerId: "w2",
      slots: 8,
      busy: () => 0,
      prefetch: 2,
      now: () => 9,
      log: silentLogger(),
    });
    await r.beat();
    expect(beats).toEqual([{ workerId: "w2", slots: 8, busy: 0, healthy: true, at: 9, prefetch: 2 }]);
  });
});
