import { describe, expect, it } from "vitest";
import pino from "pino";
import {
  NO_SWEEPER_WARNING,
  type SweeperHeartbeat,
  type SweeperView,
} from "../../../shared/fleet/sweeper-heartbeats.ts";
import { silentLogger } from "../../../shared/log/logger.ts";
import { SweeperWatch } from "../../../scheduler/sweeper-watch.ts";
import { SweeperReporter, sweeperAlive } from "../../../workers/sweeper-heartbeat.ts";

function captureLog() {
  const lines: { level: number; msg: string }[] = [];
  const log = pino(
    { level: "info" },
    { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) },
  );
  return { log, lines };
}

describe("sweeper heartbeats (issue 9, item 12)", () => {
  it("a sweeper is alive while its last tick (or its start) is recent", () => {
    expect(sweeperAlive(undefined, 1000, 5000, 10_000)).toBe(true);
    expect(sweeperAlive(undefined, 1000, 12_000, 10_000)).toBe(false);
    expect(sweeperAlive(20_000, 1000, 25_000, 10_000)).toBe(true);
    expect(sweeperAlive(20_000, 1000, 31_000, 10_000)).toBe(false);
  });

  it("the reporter beats while the sweeper ticks and stops beating when its tick hangs", async () => {
    const beats: SweeperHeartbeat[] = [];
    let t = 1_000;
    const sweeper = { lastTickAt: undefined as number | undefined };
    const r = new SweeperReporter({
      registry: { heartbeat: async (hb) => void beats.push(hb), remove: async () => undefined },
      sweeperId: "s1",
      sweeper,
      now: () => t,
      maxTickAgeMs: 5_000,
      log: silentLogger(),
      timers: { set: () => ({}), clear: () => undefined },
    });
    await r.start();
    sweeper.lastTickAt = 2_000;
    t = 3_000;
    expect(await r.beat()).toBe(true);
    t = 8_000; // the tick that started after 2 000 never ended
    expect(await r.beat()).toBe(false);
    expect(beats).toEqual([
      { sweeperId: "s1", at: 1_000 },
      { sweeperId: "s1", at: 3_000, lastTickAt: 2_000 },
    ]);
    await r.stop();
  });

  it("the scheduler warns when no sweeper is alive (after a start-up grace), repeats, and notes the return", async () => {
    const { log, lines } = captureLog();
    let t = 0;
    let view: SweeperView = { live: [], stale: 1, invalid: 0, warning: NO_SWEEPER_WARNING };
    const watch = new SweeperWatch({
      registry: { view: async () => view },
      now: () => t,
      log,
      graceMs: 15_000,
      repeatEveryMs: 60_000,
    });
    await watch.check(); // t = 0: within the grace
    t = 15_000;
    await watch.check();
    t = 30_000;
    await watch.check(); // not repeated yet
    t = 75_000;
    await watch.check();
    view = { live: [{ sweeperId: "s", at: t }], stale: 0, invalid: 0, warning: undefined };
    t = 80_000;
    await watch.check();
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, NO_SWEEPER_WARNING],
      [40, NO_SWEEPER_WARNING],
      [30, "a sweeper is alive again"],
    ]);
  });
});
