import { describe, expect, it } from "vitest";
import { CAS_ROUNDS, casRetry } from "../../../shared/jobs/cas-retry.ts";

describe("casRetry", () => {
  it("returns the first decided answer", async () => {
    let calls = 0;
    const r = await casRetry(async (n) => (++calls, n < 2 ? "lost" : { done: n }));
    expect(r).toBe(2);
    expect(calls).toBe(3);
  });

  it("gives up after the bound, undefined", async () => {
    let calls = 0;
    expect(await casRetry(async () => (++calls, "lost"))).toBeUndefined();
    expect(calls).toBe(CAS_ROUNDS);
  });
});
