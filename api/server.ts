/**
 * The API's HTTP server: `buildApiServer(deps)` → a Fastify instance with the error model, the edge
 * (authentication, tenant, rate, scope) on every scoped route, `/healthz`, `/readyz`, the routes of
 * `deps.routes`, and `/openapi.json` generated from all of them. Not listening yet: the caller
 * (`api/main.ts`, tests) calls `listen` or `inject`.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";
import type { ApiConfig } from "../shared/config/config.ts";
import type { TokenVerifier } from "./auth/token-verifier.ts";
import { ApiError, errorBody } from "./errors.ts";
import { createEdge } from "./http/edge.ts";
import { installErrorHandlers } from "./http/errors-handler.ts";
import { buildOpenApi } from "./http/openapi.ts";
import { createRouteRegistrar, type RouteModule, type RouteRegistrar } from "./http/route.ts";
import type { ApiMetricsSink } from "../shared/metrics/sluice-metrics.ts";
import type { ReadinessCheck } from "./readiness.ts";
import { healthRoutes } from "./routes/health.ts";
import { EdgeRateLimiter } from "./tenants/edge-rate.ts";
import type { TenantDirectory } from "./tenants/tenant-directory.ts";

export interface ApiDeps {
  readonly config: ApiConfig;
  readonly log: Logger;
  readonly verifier: TokenVerifier;
  readonly tenants: TenantDirectory;
  /** `/readyz` checks (the verifier's keys are always one of them). */
  readonly readiness?: readonly ReadinessCheck[];
  /** The operations (`api/routes/*.ts`). */
  readonly routes?: readonly RouteModule[];
  readonly now?: () => number;
  /** Default: a fresh limiter. */
  readonly limiter?: EdgeRateLimiter;
  /** Per-request metrics (`sluice_api_requests_total`, ...); default none. */
  readonly metrics?: ApiMetricsSink;
  /** Live API replicas, dividing each edge rate (`shared/fleet/api-replicas.ts`); default 1. */
  readonly replicas?: () => number;
}

export const API_VERSION = "1.0.0";

const registrars = new WeakMap<FastifyInstance, RouteRegistrar>();

/** The route registrar of a server built by `buildApiServer` (to add routes before `ready`). */
export function routesOf(app: FastifyInstance): RouteRegistrar {
  const r = registrars.get(app);
  if (r === undefined) throw new Error("not an API server built by buildApiServer");
  return r;
}

export function buildApiServer(deps: ApiDeps): FastifyInstance {
  const now = deps.now ?? Date.now;
  const app = Fastify({
    loggerInstance: deps.log.child({ component: "api" }),
    // Requests are logged once, by the onResponse hook below (with the tenant).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.bodyLimitBytes,
    return503OnClosing: true,
    // A URL Fastify cannot decode: the API's error model, not Fastify's.
    frameworkErrors: (error, _request, reply) => {
      const bad = new ApiError(400, "invalid_request", `bad request: ${error.message}`);
      void (reply as unknown as FastifyReply).code(400).send(errorBody(bad));
    },
  }) as unknown as FastifyInstance;
  // Bodies are JSON only: any other content type is 415 `unsupported_media_type`.
  app.removeContentTypeParser("text/plain");
  app.decorateRequest("principal", undefined);
  app.decorateRequest("operator", undefined);
  app.decorateRequest("tenantId", undefined);
  installErrorHandlers(app);
  app.addHook("onResponse", async (request, reply) => {
    request.log.debug(
      {
        method: request.method,
        route: request.routeOptions.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        tenantId: request.tenantId,
      },
      "request",
    );
    deps.metrics?.apiRequest(
      request.tenantId,
      request.routeOptions.url ?? "unmatched",
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  const edge = createEdge({
    verifier: deps.verifier,
    tenants: deps.tenants,
    limiter: deps.limiter ?? new EdgeRateLimiter(),
    defaultRate: deps.config.defaultRate,
    now,
    ...(deps.replicas !== undefined ? { replicas: deps.replicas } : {}),
  });
  const routes = createRouteRegistrar(app, edge);
  registrars.set(app, routes);

  const keys: ReadinessCheck = {
    name: "jwks",
    async check() {
      if (!deps.verifier.keysLoaded()) await deps.verifier.loadKeys();
    },
  };
  healthRoutes([...(deps.readiness ?? []), keys])(routes);
  let document: Record<string, unknown> | undefined;
  routes.add({
    method: "GET",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This document",
    tags: ["meta"],
    scope: null,
    response: {
      status: 200,
      description: "The OpenAPI 3.1 document",
      schema: z.record(z.string(), z.unknown()),
    },
    handler: async () => {
      document ??= buildOpenApi(routes.list(), { title: "Sluice API", version: API_VERSION });
      return { body: document };
    },
  });
  for (const module of deps.routes ?? []) module(routes);
  return app;
}
