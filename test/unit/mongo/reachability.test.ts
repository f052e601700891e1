import { MongoServerError, MongoServerSelectionError } from "mongodb";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../shared/log/logger.ts";
import {
  isMongoConnectivityError,
  MongoReachability,
  shouldReconnect,
} from "../../../shared/mongo/reachability.ts";

/** A topology description is required by the constructor; a minimal one will do. */
const selectionError = () =>
  new MongoServerSelectionError("Server selection timed out", { servers: new Map() } as never);

const policy = { probeMs: 1000, probeTimeoutMs: 500, reconnectAfterMs: 10_000 };

describe("MongoDB reachability (issue 9 bug B)", () => {
  it("tells connectivity errors from server refusals, through causes too", () => {
    expect(isMongoConnectivityError(selectionError())).toBe(true);
    expect(isMongoConnectivityError(new Error("x", { cause: { name: "MongoNetworkError" } }))).toBe(true);
    expect(isMongoConnectivityError(new MongoServerError({ code: 11000, errmsg: "dup" }))).toBe(false);
    expect(isMongoConnectivityError(new Error("plain"))).toBe(false);
  });

  it("recreates the client once down for reconnectAfterMs, then again every reconnectAfterMs", () => {
    expect(shouldReconnect({ downSince: undefined, lastReconnectAt: undefined }, 50_000, policy)).toBe(false);
    expect(shouldReconnect({ downSince: 0, lastReconnectAt: undefined }, 9_999, policy)).toBe(false);
    expect(shouldReconnect({ downSince: 0, lastReconnectAt: undefined }, 10_000, policy)).toBe(true);
    expect(shouldReconnect({ downSince: 0, lastReconnectAt: 10_000 }, 15_000, policy)).toBe(false);
    expect(shouldReconnect({ downSince: 0, lastReconnectAt: 10_000 }, 20_000, policy)).toBe(true);
  });

  it("goes down on a reported connectivity error, reconnects while down, comes back up on a ping", async () => {
    let t = 0;
    let answering = false;
    let reconnects = 0;
    const changes: boolean[] = [];
    const m = new MongoReachability({
      ping: async () => {
        if (!answering) throw selectionError();
      },
      reconnect: async () => void (reconnects += 1),
      now: () => t,
      log: silentLogger(),
      policy,
      onChange: (up) => changes.push(up),
    });
    expect(m.up).toBe(true);
    expect(m.report(new MongoServerError({ code: 11000, errmsg: "dup" }))).toBe(false);
    expect(m.up).toBe(true);
    expect(m.report(selectionError())).toBe(true);
    expect(m.up).toBe(false);
    await m.tick();
    t = 9_000;
    await m.tick();
    expect(reconnects).toBe(0);
    expect(m.downForMs()).toBe(9_000);
    t = 10_000;
    await m.tick();
    t = 12_000;
    await m.tick();
    expect(reconnects).toBe(1);
    t = 20_000;
    await m.tick();
    expect(reconnects).toBe(2);
    answering = true;
    await m.tick();
    expect(m.up).toBe(true);
    expect(m.downForMs()).toBeUndefined();
    expect(changes).toEqual([false, true]);
  });
});
