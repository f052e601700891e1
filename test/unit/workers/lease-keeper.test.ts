import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LeaseKeeper } from "../../../workers/lease-keeper.ts";

const log = pino({ level: "silent" });

function keeper(leaseOk: () => boolean = () => true) {
  const calls = { lease: 0, visibility: 0 };
  const k = new LeaseKeeper({
    extendLease: async () => {
      calls.lease++;
      return leaseOk();
    },
    extendVisibility: async () => {
      calls.visibility++;
    },
    everyMs: 100,
    log: () => log,
  });
  return { k, calls };
}

describe("LeaseKeeper (issue 9 D: the lease lives as long as the job is in the worker)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("extends lease and visibility on every period until stopped, whatever the job is doing", async () => {
    const { k, calls } = keeper();
    k.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual({ lease: 10, visibility: 10 });
    await k.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual({ lease: 10, visibility: 10 });
  });

  it("a heartbeat extends at once and joins an extension in flight", async () => {
    const { k, calls } = keeper();
    await Promise.all([k.touch(), k.touch()]);
    expect(calls).toEqual({ lease: 1, visibility: 1 });
    await k.touch();
    expect(calls).toEqual({ lease: 2, visibility: 2 });
  });

  it("stops extending once the lease is no longer this worker's", async () => {
    const { k, calls } = keeper(() => false);
    k.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(k.lost).toBe(true);
    expect(calls.lease).toBe(1);
    await k.stop();
  });
});
