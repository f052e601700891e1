/**
 * The API's edge on the real stack with real tokens: every bad token, a suspended / unknown tenant,
 * a missing scope, key rotation, the per-tenant rate (429 + Retry-After), the body limit (413),
 * malformed JSON, validation, unknown routes, unexpected errors, health and the OpenAPI document.
 * A probe route registered through the route helper writes one document per accepted request, so
 * "nothing was written" is a count in MongoDB.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RouteModule } from "../../../api/http/route.ts";
import { ERROR_CODES } from "../../../api/errors.ts";
import { COLLECTIONS } from "../../../shared/mongo/collections.ts";
import { SluiceMetrics } from "../../../shared/metrics/sluice-metrics.ts";
import { startJwtIssuer, type JwtIssuer } from "../../support/jwt-issuer.ts";
import { createTestFleet, type TestFleet } from "../helpers/fleet.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

const PROBE = "api_probe";

/** POST /v1/probe (sluice/submit) writes `{tenantId, subject, note}`; GET /v1/probe (sluice/read) counts. */
function probeRoutes(fleet: TestFleet): RouteModule {
  const probe = () => fleet.rt.fleetDb.collection(PROBE);
  return (routes) => {
    routes.add({
      method: "POST",
      path: "/v1/probe",
      operationId: "probeWrite",
      summary: "test probe: writes one document",
      scope: "sluice/submit",
      body: z.object({ note: z.string().max(1_000_000), tenantId: z.string().optional() }),
      response: {
        status: 201,
        description: "written",
        schema: z.object({ tenantId: z.string(), subject: z.string() }),
      },
      handler: async ({ body, principal }) => {
        await probe().insertOne({
          tenantId: principal.tenantId,
          subject: principal.subject,
          note: body.note,
        });
        return {
          body: { tenantId: principal.tenantId, subject: principal.subject, secret: "not in the schema" },
        };
      },
    });
    routes.add({
      method: "GET",
      path: "/v1/probe/{name}",
      operationId: "probeRead",
      summary: "test probe: counts the tenant's documents",
      scope: "sluice/read",
      params: z.object({ name: z.string().min(3) }),
      query: z.object({ limit: z.coerce.number().int().min(1).max(10).optional() }),
      response: { status: 200, description: "count", schema: z.object({ count: z.number() }) },
      handler: async ({ principal }) => ({
        body: { count: await probe().countDocuments({ tenantId: principal.tenantId }) },
      }),
    });
    routes.add({
      method: "GET",
      path: "/v1/boom",
      operationId: "probeBoom",
      summary: "test probe: throws",
      scope: "sluice/read",
      response: { status: 200, description: "never", schema: z.object({}) },
      handler: async () => {
        throw new Error("boom: secret detail at /srv/x.ts:12");
      },
    });
  };
}

describe("API edge (real tokens, real stack)", () => {
  let fleet: TestFleet;
  let issuer: JwtIssuer;
  let api: TestApi;
  const metrics = new SluiceMetrics({ service: "api", processMetrics: false });
  const ALL = "sluice/submit sluice/read sluice/review sluice/operator";

  const tenants = () => fleet.rt.fleetDb.collection(COLLECTIONS.tenants);
  const written = () => fleet.rt.fleetDb.collection(PROBE).countDocuments({});
  const setTenant = (tenant: string, set: Record<string, unknown>) =>
    tenants().updateOne(
      { tenantId: tenant },
      { $set: { ...set, updatedAt: new Date() }, $inc: { version: 1 } },
    );
  const token = (claims: Record<string, unknown> = {}, opts = {}) =>
    issuer.sign({ "custom:tenant_id": "acme", scope: ALL, ...claims }, opts);

  /** A POST that must be refused with `status`/`code`, writing nothing. */
  async function refused(
    opts: { token?: string; headers?: Record<string, string> },
    status: number,
    code: string,
    reason?: string,
  ) {
    const before = await written();
    const res = await api.call("POST", "/v1/probe", { ...opts, body: { note: "x" } });
    expect(res.status, res.text).toBe(status);
    const body = res.json as { error: { code: string; message: string; details: Record<string, unknown> } };
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe("string");
    expect(body.error.details).toBeTypeOf("object");
    if (reason !== undefined) expect(body.error.details["reason"]).toBe(reason);
    expect(ERROR_CODES[code as keyof typeof ERROR_CODES].status).toBe(status);
    expect(await written()).toBe(before);
    return res;
  }

  beforeAll(async () => {
    fleet = await createTestFleet("api-edge", { tenants: ["acme", "globex", "initech"] });
    issuer = await startJwtIssuer();
    api = await startTestApi(fleet, issuer, { routes: [probeRoutes(fleet)], metrics });
  });
  afterAll(async () => {
    await api?.close();
    await issuer?.close();
    await fleet?.cleanup();
  });
  beforeEach(async () => {
    await fleet.rt.fleetDb.collection(PROBE).deleteMany({});
  });

  it("accepts a valid token: the tenant comes from the claim, never from the body", async () => {
    const res = await api.call("POST", "/v1/probe", {
      token: await token({ sub: "user-1" }),
      body: { note: "hello", tenantId: "globex" },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toEqual({ tenantId: "acme", subject: "user-1" }); // the undeclared field is dropped
    expect(await fleet.rt.fleetDb.collection(PROBE).countDocuments({ tenantId: "acme" })).toBe(1);
    expect(await fleet.rt.fleetDb.collection(PROBE).countDocuments({ tenantId: "globex" })).toBe(0);
  });

  it("accepts ES256 tokens and an id token's aud when configured audiences match", async () => {
    const es = await api.call("POST", "/v1/probe", {
      token: await token({}, { alg: "ES256" }),
      body: { note: "x" },
    });
    expect(es.status, es.text).toBe(201);
    const aud = await api.call("POST", "/v1/probe", {
      token: await token({ client_id: undefined, aud: ["other", issuer.audience] }),
      body: { note: "x" },
    });
    expect(aud.status, aud.text).toBe(201);
  });

  it("refuses a request without a bearer token", async () => {
    const res = await refused({}, 401, "missing_token");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    await refused({ headers: { authorization: "Basic dXNlcjpwYXNz" } }, 401, "missing_token");
  });

  it("refuses malformed, expired, not-yet-valid and forged tokens", async () => {
    await refused({ token: "not.a-jwt" }, 401, "invalid_token", "malformed");
    await refused({ token: await token({}, { expiresIn: -120 }) }, 401, "token_expired");
    await refused({ token: await token({}, { notBefore: 600 }) }, 401, "invalid_token", "not_yet_valid");
    await refused({ token: await token({}, { forged: true }) }, 401, "invalid_token", "signature");
    await refused(
      { token: await token({}, { forged: true, alg: "ES256" }) },
      401,
      "invalid_token",
      "signature",
    );
  });

  it("refuses tokens of another audience, issuer or token_use", async () => {
    await refused({ token: await token({ client_id: "someone-else" }) }, 401, "invalid_token", "audience");
    await refused(
      { token: await token({ client_id: undefined, aud: "someone-else" }) },
      401,
      "invalid_token",
      "audience",
    );
    await refused({ token: await token({ iss: "https://evil.example" }) }, 401, "invalid_token", "issuer");
    await refused({ token: await token({ token_use: "id" }) }, 401, "invalid_token", "token_use");
    await refused({ token: await token({ token_use: undefined }) }, 401, "invalid_token", "token_use");
  });

  it("refuses alg none and HS256 keyed with the public key", async () => {
    await refused(
      { token: issuer.unsigned({ "custom:tenant_id": "acme", scope: ALL }) },
      401,
      "invalid_token",
      "algorithm",
    );
    await refused(
      { token: await issuer.hmacWithPublicKey({ "custom:tenant_id": "acme", scope: ALL }) },
      401,
      "invalid_token",
      "algorithm",
    );
  });

  it("refuses a token without a (valid) tenant claim", async () => {
    await refused(
      { token: await token({ "custom:tenant_id": undefined }) },
      401,
      "invalid_token",
      "tenant_claim",
    );
    await refused(
      { token: await token({ "custom:tenant_id": "Acme!" }) },
      401,
      "invalid_token",
      "tenant_claim",
    );
    await refused({ token: await token({ "custom:tenant_id": 42 }) }, 401, "invalid_token", "tenant_claim");
  });

  it("refuses a suspended tenant with its reason, lets a paused one submit, and refuses an unknown one", async () => {
    await setTenant("globex", { status: "suspended", reason: "invoice overdue" });
    const res = await refused(
      { token: await token({ "custom:tenant_id": "globex" }) },
      403,
      "tenant_suspended",
    );
    expect((res.json as { error: { details: { reason: string } } }).error.details.reason).toBe(
      "invoice overdue",
    );
    expect((res.json as { error: { message: string } }).error.message).toContain("invoice overdue");

    await setTenant("initech", { status: "paused", reason: null });
    const paused = await api.call("POST", "/v1/probe", {
      token: await token({ "custom:tenant_id": "initech" }),
      body: { note: "waits" },
    });
    expect(paused.status, paused.text).toBe(201);

    await refused({ token: await token({ "custom:tenant_id": "hooli" }) }, 403, "tenant_unknown");
  });

  it("refuses a token without the operation's scope", async () => {
    const res = await refused({ token: await token({ scope: "sluice/read" }) }, 403, "insufficient_scope");
    expect((res.json as { error: { details: { required: string } } }).error.details.required).toBe(
      "sluice/submit",
    );
    await refused({ token: await token({ scope: undefined }) }, 403, "insufficient_scope");
    const read = await api.call("GET", "/v1/probe/abc", { token: await token({ scope: "sluice/read" }) });
    expect(read.status, read.text).toBe(200);
  });

  it("picks up a rotated key (unknown kid → JWKS fetched again) and refuses a retired one", async () => {
    const oldKid = issuer.kids()[0] as string;
    const before = issuer.fetches;
    const newKid = await issuer.rotate("RS256", { retire: true });
    const fresh = await api.call("POST", "/v1/probe", {
      token: await token({}, { kid: newKid }),
      body: { note: "x" },
    });
    expect(fresh.status, fresh.text).toBe(201);
    expect(issuer.fetches).toBeGreaterThan(before);
    expect(issuer.kids()).not.toContain(oldKid);
    await refused({ token: await token({}, { kid: oldKid }) }, 401, "invalid_token", "unknown_key");
  });

  it("answers 400 invalid_request with each zod issue's path, writing nothing", async () => {
    const before = await written();
    const res = await api.call("POST", "/v1/probe", { token: await token(), body: { note: 5 } });
    expect(res.status).toBe(400);
    const err = (res.json as { error: { code: string; details: { issues: { path: unknown[] }[] } } }).error;
    expect(err.code).toBe("invalid_request");
    expect(err.details.issues.map((i) => i.path)).toEqual([["body", "note"]]);
    const q = await api.call("GET", "/v1/probe/ab?limit=99", { token: await token() });
    expect(q.status).toBe(400);
    const paths = (
      q.json as { error: { details: { issues: { path: unknown[] }[] } } }
    ).error.details.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        ["params", "name"],
        ["query", "limit"],
      ]),
    );
    expect(await written()).toBe(before);
  });

  it("answers 400 invalid_json for malformed or empty JSON, writing nothing", async () => {
    const before = await written();
    for (const rawBody of ['{"note": "x"', "", '{"__proto__": {"x": 1}, "note": "y"}']) {
      const res = await api.call("POST", "/v1/probe", { token: await token(), rawBody });
      expect(res.status, rawBody).toBe(400);
      expect((res.json as { error: { code: string } }).error.code).toBe("invalid_json");
    }
    const text = await api.call("POST", "/v1/probe", {
      token: await token(),
      rawBody: "note=x",
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(415);
    expect((text.json as { error: { code: string } }).error.code).toBe("unsupported_media_type");
    expect(await written()).toBe(before);
  });

  it("answers 413 payload_too_large over the body limit, writing nothing", async () => {
    const before = await written();
    const note = "x".repeat(api.config.api.bodyLimitBytes + 1);
    const res = await api.call("POST", "/v1/probe", { token: await token(), body: { note } });
    expect(res.status).toBe(413);
    expect((res.json as { error: { code: string } }).error.code).toBe("payload_too_large");
    expect(await written()).toBe(before);
  });

  it("answers 404 not_found as JSON for an unknown route", async () => {
    const res = await api.call("GET", "/v1/nope", { token: await token() });
    expect(res.status).toBe(404);
    expect((res.json as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("answers 500 internal without the error's message or stack", async () => {
    const res = await api.call("GET", "/v1/boom", { token: await token() });
    expect(res.status).toBe(500);
    expect((res.json as { error: { code: string } }).error.code).toBe("internal");
    expect(res.text).not.toContain("boom");
    expect(res.text).not.toContain("/srv/x.ts");
  });

  it("throttles a tenant past its api burst with 429 and an integer Retry-After", async () => {
    await setTenant("acme", { api: { perSecond: 0.01, burst: 2 } });
    const t = await token();
    for (let i = 0; i < 2; i++) {
      const ok = await api.call("POST", "/v1/probe", { token: t, body: { note: `n${i}` } });
      expect(ok.status, ok.text).toBe(201);
    }
    const res = await refused({ token: t }, 429, "rate_limited");
    const retry = res.headers.get("retry-after") ?? "";
    expect(retry).toMatch(/^\d+$/);
    expect(Number(retry)).toBeGreaterThanOrEqual(1);
    expect(await written()).toBe(2);
    // Another tenant has its own bucket.
    const other = await api.call("GET", "/v1/probe/abc", {
      token: await token({ "custom:tenant_id": "initech" }),
    });
    expect(other.status, other.text).toBe(200);
    await setTenant("acme", { api: null });
    // Each answer is counted by tenant, route pattern and status; a request without a token as `none`.
    await refused({}, 401, "missing_token");
    const text = await metrics.text();
    const count = (labels: string) =>
      Number(text.match(new RegExp(`^sluice_api_requests_total\\{${labels}\\} (\\d+)$`, "m"))?.[1] ?? 0);
    expect(count('tenant="acme",route="/v1/probe",code="429"')).toBe(1);
    expect(count('tenant="acme",route="/v1/probe",code="201"')).toBeGreaterThanOrEqual(2);
    expect(count('tenant="initech",route="/v1/probe/:name",code="200"')).toBeGreaterThanOrEqual(1);
    expect(count('tenant="none",route="/v1/probe",code="401"')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^sluice_api_request_duration_seconds_count\{route="\/v1\/probe"\} \d+$/m);
  });

  it("serves /healthz and /readyz without a token", async () => {
    const health = await api.call("GET", "/healthz");
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: "ok" });
    const ready = await api.call("GET", "/readyz");
    expect(ready.status, ready.text).toBe(200);
    expect(ready.json).toEqual({ status: "ready", checks: { mongo: "ok", sqs: "ok", jwks: "ok" } });
  });

  it("publishes an OpenAPI 3.1 document with every registered route, the security scheme and the error schema", async () => {
    const res = await api.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.text) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            security: unknown;
            responses: Record<string, unknown>;
            parameters?: { name: string; in: string }[];
          }
        >
      >;
      components: {
        schemas: Record<string, unknown>;
        securitySchemes: Record<string, { type: string; scheme: string }>;
      };
    };
    expect(doc.openapi).toBe("3.1.0");
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(ops.sort()).toEqual(
      [
        "GET /healthz",
        "GET /readyz",
        "GET /openapi.json",
        "POST /v1/probe",
        "GET /v1/probe/{name}",
        "GET /v1/boom",
      ].sort(),
    );
    expect(doc.components.securitySchemes["bearerAuth"]).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.schemas["Error"]).toBeDefined();
    const write = doc.paths["/v1/probe"]?.["post"];
    expect(write?.security).toEqual([{ bearerAuth: ["sluice/submit"] }]);
    expect(Object.keys(write?.responses ?? {})).toEqual(
      expect.arrayContaining(["201", "400", "401", "403", "413", "429", "500"]),
    );
    expect(doc.paths["/v1/probe/{name}"]?.["get"]?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual([
      "path:name",
      "query:limit",
    ]);
    expect(doc.paths["/healthz"]?.["get"]?.security).toEqual([]);
  });
});
