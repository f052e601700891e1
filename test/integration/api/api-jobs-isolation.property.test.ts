/**
 * Property (fast-check): thousands of random API requests as two tenants, each using the other's job
 * ids, list cursors and upload references (and its own, as a control), in-process through
 * `app.inject` against the real server, real tokens and the real stack. No response to one tenant
 * carries a byte of the other's data (its job ids, keys, upload keys, input markers), and nothing
 * of a tenant is changed by the other (its job documents and uploads are as they were).
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { jobsApiDeps } from "../../../api/jobs/jobs-runtime.ts";
import { jobRoutes } from "../../../api/routes/jobs.ts";
import { COLLECTIONS } from "../../../shared/mongo/collections.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { startJwtIssuer, type JwtIssuer } from "../../support/jwt-issuer.ts";
import { createTestFleet, type TestFleet } from "../helpers/fleet.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

const ALL = "sluice/submit sluice/read sluice/review";
const TENANTS = ["acme", "globex"] as const;
type T = (typeof TENANTS)[number];

interface Holdings {
  token: string;
  jobIds: string[];
  keys: string[];
  cursor: string;
  uploadKey: string;
  marker: string;
}

let fleet: TestFleet;
let issuer: JwtIssuer;
let api: TestApi;
const held = {} as Record<T, Holdings>;

beforeAll(async () => {
  fleet = await createTestFleet("api-prop", { tenants: [...TENANTS] });
  issuer = await startJwtIssuer();
  const { deps, actions, flush } = jobsApiDeps(fleet.rt, fleet.catalog, {
    uploadMaxBytes: 1024,
    urlTtlSeconds: 60,
    cursorSecret: "property-secret-0123456789",
  });
  api = await startTestApi(fleet, issuer, {
    routes: [jobRoutes(deps, actions)],
    env: { SLUICE_API_DEFAULT_RATE_PER_SECOND: "100000", SLUICE_API_DEFAULT_BURST: "100000" },
  });
  for (const t of TENANTS) {
    const token = await issuer.sign({ "custom:tenant_id": t, sub: `user-${t}`, scope: ALL });
    const marker = `SECRET-${t.toUpperCase()}-${Math.random().toString(36).slice(2)}`;
    const inject = (method: "GET" | "POST", url: string, payload?: unknown, headers = {}) =>
      api.app.inject({
        method,
        url,
        payload: payload as never,
        headers: { authorization: `Bearer ${token}`, ...headers },
      });
    const jobIds: string[] = [];
    const keys: string[] = [];
    for (let i = 0; i < 4; i++) {
      const key = `${marker}-key-${i}`;
      const r = await inject(
        "POST",
        "/v1/jobs",
        { workflow: "hello", input: { marker } },
        { "idempotency-key": key },
      );
      expect(r.statusCode, r.body).toBe(202);
      jobIds.push((r.json() as { jobId: string }).jobId);
      keys.push(key);
    }
    const page = await inject("GET", "/v1/jobs?limit=1");
    const up = await inject("POST", "/v1/uploads", { bytes: marker.length });
    const grant = up.json() as { url: string; headers: Record<string, string>; inputRef: { key: string } };
    expect((await fetch(grant.url, { method: "PUT", headers: grant.headers, body: marker })).status).toBe(
      200,
    );
    held[t] = {
      token,
      jobIds,
      keys,
      cursor: (page.json() as { nextCursor: string }).nextCursor,
      uploadKey: grant.inputRef.key,
      marker,
    };
  }
  await flush(); // the submissions' batched intake confirmations land before the snapshots
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
  await fleet?.cleanup();
});

const snapshot = async (t: T) =>
  JSON.stringify(
    await fleet.rt.fleetDb.collection(COLLECTIONS.jobs).find({ tenantId: t }).sort({ _id: 1 }).toArray(),
  );

const request = fc.record({
  as: fc.constantFrom<T>(...TENANTS),
  op: fc.constantFrom(
    "get",
    "cancel",
    "retry",
    "review-approve",
    "review-reject",
    "list-cursor",
    "submit-ref",
    "list-own",
  ),
  pick: fc.nat(3),
  retryFrom: fc.constantFrom("checkpoint", "start"),
});

it("no byte of one tenant reaches the other, and nothing of one is changed by the other", async () => {
  const before = { acme: await snapshot("acme"), globex: await snapshot("globex") };
  let sent = 0;
  let submitted = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(request, { minLength: 100, maxLength: 100 }), async (reqs) => {
      for (const r of reqs) {
        const me = held[r.as];
        const other = held[r.as === "acme" ? "globex" : "acme"];
        const id = other.jobIds[r.pick]!;
        const call = (method: "GET" | "POST", url: string, payload?: unknown, headers = {}) =>
          api.app.inject({
            method,
            url,
            payload: payload as never,
            headers: { authorization: `Bearer ${me.token}`, ...headers },
          });
        let res;
        switch (r.op) {
          case "get":
            res = await call("GET", `/v1/jobs/${id}`);
            break;
          case "cancel":
            res = await call("POST", `/v1/jobs/${id}/cancel`, { reason: "x" });
            break;
          case "retry":
            res = await call("POST", `/v1/jobs/${id}/retry`, { from: r.retryFrom });
            break;
          case "review-approve":
            res = await call("POST", `/v1/jobs/${id}/review`, { decision: "approve", output: {} });
            break;
          case "review-reject":
            res = await call("POST", `/v1/jobs/${id}/review`, { decision: "reject", error: "E", cause: "c" });
            break;
          case "list-cursor":
            res = await call("GET", `/v1/jobs?cursor=${encodeURIComponent(other.cursor)}`);
            break;
          case "submit-ref":
            res = await call(
              "POST",
              "/v1/jobs",
              { workflow: "hello", inputRef: { key: other.uploadKey } },
              {
                "idempotency-key": `prop-${r.as}-${submitted++}`,
              },
            );
            break;
          case "list-own":
            res = await call("GET", "/v1/jobs?limit=200");
            break;
        }
        sent++;
        const expected: Record<string, [number, string]> = {
          get: [404, "job_not_found"],
          cancel: [404, "job_not_found"],
          retry: [404, "job_not_found"],
          "review-approve": [404, "job_not_found"],
          "review-reject": [404, "job_not_found"],
          "list-cursor": [400, "invalid_cursor"],
          "submit-ref": [422, "input_not_found"],
        };
        if (r.op === "list-own") expect(res.statusCode).toBe(200);
        else
          expect([res.statusCode, (res.json() as { error: { code: string } }).error.code]).toEqual(
            expected[r.op],
          );
        // The other tenant's bytes: its marker (in its inputs and keys) and its upload key. Its job id
        // only appears echoed back from the request's own path (details.jobId of job_not_found).
        expect(res.body).not.toContain(other.marker);
        expect(res.body).not.toContain(other.uploadKey.split("/").at(-1));
        if (r.op === "list-own" || r.op === "list-cursor" || r.op === "submit-ref")
          for (const j of other.jobIds) expect(res.body).not.toContain(j);
      }
    }),
    { numRuns: 20 },
  );
  expect(sent).toBe(2000);
  // Nothing of either tenant was changed by the other (the accepted submissions were none).
  expect(await snapshot("acme")).toBe(before.acme);
  expect(await snapshot("globex")).toBe(before.globex);
  for (const t of TENANTS) {
    const objects = await fleet.rt.blobs.head(tenantId(t), held[t].uploadKey as never);
    expect(objects?.size).toBe(held[t].marker.length);
  }
}, 600_000);
