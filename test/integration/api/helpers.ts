/**
 * An API server for integration tests: the real server (`buildApiServer`) listening on a local port,
 * real token verification against a `JwtIssuer`'s JWKS over HTTP, tenant documents read from the
 * test fleet's MongoDB, and extra route modules (probes) the test registers through the route helper.
 */
import type { FastifyInstance } from "fastify";
import type { AddressInfo } from "node:net";
import { createTokenVerifier } from "../../../api/auth/token-verifier.ts";
import type { ApiMetricsSink } from "../../../shared/metrics/sluice-metrics.ts";
import type { RouteModule } from "../../../api/http/route.ts";
import { buildApiServer } from "../../../api/server.ts";
import { serveConsole } from "../../../api/console-static.ts";
import { createTenantDirectory } from "../../../api/tenants/tenant-directory.ts";
import { workQueueName } from "../../../shared/aws/queue-names.ts";
import type { SluiceConfig } from "../../../shared/config/config.ts";
import { COLLECTIONS } from "../../../shared/mongo/collections.ts";
import type { Runtime } from "../../../shared/runtime/runtime.ts";
import type { JwtIssuer } from "../../support/jwt-issuer.ts";
import type { TestFleet } from "../helpers/fleet.ts";
import { testConfig } from "../helpers/env.ts";

export interface TestApi {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly config: SluiceConfig;
  /** `fetch` against the API with an optional bearer token. */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; json: unknown; text: string }>;
  close(): Promise<void>;
}

/** Issuer settings for `issuer`, plus `env` (e.g. a JWKS cooldown). */
export function apiEnv(issuer: JwtIssuer, env: Record<string, string> = {}): Record<string, string> {
  return {
    SLUICE_API_JWT_ISSUER: issuer.issuer,
    SLUICE_API_JWKS_URL: issuer.jwksUrl,
    SLUICE_API_JWT_AUDIENCE: issuer.audience,
    SLUICE_API_JWKS_COOLDOWN_MS: "0",
    SLUICE_API_TENANT_CACHE_MS: "0",
    ...env,
  };
}

export async function startTestApi(
  fleet: TestFleet,
  issuer: JwtIssuer,
  opts: {
    env?: Record<string, string>;
    routes?: readonly RouteModule[];
    rt?: Runtime;
    console?: boolean;
    metrics?: ApiMetricsSink;
    replicas?: () => number;
  } = {},
): Promise<TestApi> {
  const config = testConfig({ ...fleet.env, ...apiEnv(issuer, opts.env) });
  const rt = opts.rt ?? fleet.rt;
  const app = buildApiServer({
    config: config.api,
    log: rt.log,
    verifier: createTokenVerifier(config.api.auth),
    tenants: createTenantDirectory(rt.fleetDb.collection(COLLECTIONS.tenants), {
      ttlMs: config.api.tenantCacheMs,
      now: Date.now,
      log: rt.log,
    }),
    routes: opts.routes ?? [],
    ...(opts.metrics !== undefined ? { metrics: opts.metrics } : {}),
    ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
    readiness: [
      { name: "mongo", check: async () => void (await rt.mongo.ping()) },
      {
        name: "sqs",
        check: async () => void (await rt.sqs.getQueueUrl(workQueueName(config.queues.prefix))),
      },
    ],
  });
  if (opts.console === true) serveConsole(app);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app,
    url,
    config,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token !== undefined) headers["authorization"] = `Bearer ${o.token}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers["content-type"] ??= "application/json";
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, json, text };
    },
    close: () => app.close(),
  };
}
