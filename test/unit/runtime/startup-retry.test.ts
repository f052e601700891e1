import { describe, expect, it } from "vitest";
import { MongoNetworkError } from "mongodb";
import { AwsAdapterError } from "../../../shared/aws/errors.ts";
import { silentLogger } from "../../../shared/log/logger.ts";
import { retryStartup, startupBackoffMs } from "../../../shared/runtime/startup-retry.ts";

function clock() {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

const unavailable = () => new AwsAdapterError("sqs", "Unavailable", "connect ECONNREFUSED 127.0.0.1:4566");

describe("retryStartup", () => {
  it("retries an unreachable dependency with growing delays until it answers", async () => {
    const c = clock();
    let calls = 0;
    const url = await retryStartup(
      "look up the work queue",
      async () => {
        if (++calls < 4) throw unavailable();
        return "http://queue";
      },
      { budgetMs: 60_000, log: silentLogger(), now: c.now, sleep: c.sleep },
    );
    expect(url).toBe("http://queue");
    expect(calls).toBe(4);
    expect(c.slept).toEqual([250, 500, 1000]);
  });

  it("retries MongoDB network failures too", async () => {
    const c = clock();
    let calls = 0;
    await retryStartup(
      "connect to MongoDB",
      async () => {
        if (++calls === 1) throw new MongoNetworkError("connect ECONNREFUSED 127.0.0.1:27017");
        return 1;
      },
      { budgetMs: 60_000, log: silentLogger(), now: c.now, sleep: c.sleep },
    );
    expect(calls).toBe(2);
  });

  it("fails at once on an answer that is not 'unreachable' (a missing queue, bad credentials)", async () => {
    const c = clock();
    let calls = 0;
    const missing = new AwsAdapterError("sqs", "NotFound", "queue sluice-work does not exist");
    await expect(
      retryStartup(
        "look up the work queue",
        async () => {
          calls++;
          throw missing;
        },
        { budgetMs: 60_000, log: silentLogger(), now: c.now, sleep: c.sleep },
      ),
    ).rejects.toBe(missing);
    expect(calls).toBe(1);
    expect(c.slept).toEqual([]);
  });

  it("gives up with the last error once the budget would be exceeded", async () => {
    const c = clock();
    let calls = 0;
    await expect(
      retryStartup(
        "look up the work queue",
        async () => {
          calls++;
          throw unavailable();
        },
        { budgetMs: 10_000, log: silentLogger(), now: c.now, sleep: c.sleep },
      ),
    ).rejects.toMatchObject({ code: "Unavailable" });
    expect(c.now()).toBeLessThanOrEqual(10_000);
    expect(calls).toBe(c.slept.length + 1);
    expect(calls).toBeGreaterThan(3);
  });

  it("backs off from 250 ms, doubling, capped at 5 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(startupBackoffMs)).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });
});
