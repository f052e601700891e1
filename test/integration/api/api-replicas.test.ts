/**
 * API replicas share each tenant's edge rate: every API process heartbeats into `api_replicas` and
 * enforces the rate over the live count (real MongoDB-wire server, real tokens).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RouteModule } from "../../../api/http/route.ts";
import { ApiReplicas } from "../../../shared/fleet/api-replicas.ts";
import { COLLECTIONS } from "../../../shared/mongo/collections.ts";
import { startJwtIssuer, type JwtIssuer } from "../../support/jwt-issuer.ts";
import { createTestFleet, type TestFleet } from "../helpers/fleet.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

/** GET /v1/ping (sluice/read): 200 past the edge. */
const ping: RouteModule = (routes) =>
  routes.add({
    method: "GET",
    path: "/v1/ping",
    operationId: "ping",
    summary: "test probe",
    scope: "sluice/read",
    response: { status: 200, description: "pong", schema: z.object({ ok: z.boolean() }) },
    handler: async () => ({ body: { ok: true } }),
  });

describe("API replicas", () => {
  let fleet: TestFleet;
  let issuer: JwtIssuer;
  const apis: TestApi[] = [];

  beforeAll(async () => {
    fleet = await createTestFleet("api-repl", { tenants: ["acme"] });
    issuer = await startJwtIssuer();
  });
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.close()));
    await issuer?.close();
    await fleet?.cleanup();
  });

  it("count each other from their heartbeats, forget one that stopped, delete long-dead ones", async () => {
    const db = fleet.rt.fleetDb;
    const a = new ApiReplicas(db, "api-a");
    const b = new ApiReplicas(db, "api-b");
    const now = Date.now();
    expect(a.count()).toBe(1); // before its first beat
    await a.beat(now);
    expect(await b.beat(now)).toBe(2);
    expect(await a.beat(now + 1_000)).toBe(2);
    // b stops: its heartbeat goes at once.
    await b.stop();
    expect(await a.beat(now + 2_000)).toBe(1);
    // A replica killed without stopping: counted until its heartbeat is 15 s old, deleted after 10 min.
    const replicas = db.collection<{ _id: string; at: Date }>(COLLECTIONS.apiReplicas);
    await replicas.insertOne({ _id: "api-killed", at: new Date(now) });
    expect(await a.beat(now + 10_000)).toBe(2);
    expect(await a.beat(now + 16_000)).toBe(1);
    expect(await replicas.countDocuments({ _id: "api-killed" })).toBe(1);
    await a.beat(now + 601_000);
    expect(await replicas.countDocuments({ _id: "api-killed" })).toBe(0);
    await a.stop();
    expect(await replicas.countDocuments({})).toBe(0);
  });

  it("each of two replicas lets a tenant through at half its rate", async () => {
    await fleet.rt.fleetDb
      .collection(COLLECTIONS.tenants)
      .updateOne(
        { tenantId: "acme" },
        { $set: { api: { perSecond: 0.01, burst: 4 } }, $inc: { version: 1 } },
      );
    const token = await issuer.sign({ "custom:tenant_id": "acme", scope: "sluice/read" });
    const statuses = async (api: TestApi, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await api.call("GET", "/v1/ping", { token })).status);
      return out;
    };
    const one = await startTestApi(fleet, issuer, { routes: [ping], replicas: () => 2 });
    const two = await startTestApi(fleet, issuer, { routes: [ping], replicas: () => 2 });
    const alone = await startTestApi(fleet, issuer, { routes: [ping], replicas: () => 1 });
    apis.push(one, two, alone);
    // Burst 4 over two replicas: 2 each; alone, all 4.
    expect(await statuses(one, 3)).toEqual([200, 200, 429]);
    expect(await statuses(two, 3)).toEqual([200, 200, 429]);
    expect(await statuses(alone, 5)).toEqual([200, 200, 200, 200, 429]);
  });
});
