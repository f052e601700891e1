import { describe, expect, it } from "vitest";
import { replayableDeps } from "../../../workers/replayable-deps.ts";

const base = { now: () => 42, random: Math.random, uuid: () => "real", history: true };

describe("replayableDeps", () => {
  it("replays the same clock, random numbers and UUIDs for the same job and start time", () => {
    const draw = () => {
      const d = replayableDeps(base, "job-0001", 1_700_000_000_000);
      return [d.now(), d.random(), d.uuid(), d.random(), d.uuid(), d.now()];
    };
    const first = draw();
    expect(draw()).toEqual(first);
    expect(first[0]).toBe(1_700_000_000_000);
    expect(first[5]).toBe(1_700_000_000_000);
  });

  it("gives each job its own stream and keeps the other deps", () => {
    const a = replayableDeps(base, "job-0001", 1);
    const b = replayableDeps(base, "job-0002", 1);
    expect(a.uuid()).not.toBe(b.uuid());
    expect(a.history).toBe(true);
  });

  it("draws uniform numbers in [0, 1) and RFC 4122 version-4 UUIDs", () => {
    const d = replayableDeps(base, "job-0003", 7);
    const xs = Array.from({ length: 2000 }, () => d.random());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    const ids = Array.from({ length: 100 }, () => d.uuid());
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(100);
  });
});
