import { z } from "zod";
import { ApiError } from "../errors.ts";
import type { RouteModule } from "../http/route.ts";
import { runReadiness, type ReadinessCheck } from "../readiness.ts";

const HealthSchema = z.object({ status: z.literal("ok") });
const ReadySchema = z.object({
  status: z.literal("ready"),
  checks: z.record(z.string(), z.string()),
});

/** `GET /healthz` (the process is up) and `GET /readyz` (its dependencies answer); no token needed. */
export function healthRoutes(checks: readonly ReadinessCheck[]): RouteModule {
  return (routes) => {
    routes.add({
      method: "GET",
      path: "/healthz",
      operationId: "healthz",
      summary: "Liveness: the process is up",
      tags: ["health"],
      scope: null,
      response: { status: 200, description: "Up", schema: HealthSchema },
      handler: async () => ({ body: { status: "ok" as const } }),
    });
    routes.add({
      method: "GET",
      path: "/readyz",
      operationId: "readyz",
      summary: "Readiness: MongoDB and SQS answer and the issuer's keys were fetched",
      tags: ["health"],
      scope: null,
      response: { status: 200, description: "Ready", schema: ReadySchema },
      errors: ["not_ready"],
      handler: async () => {
        const report = await runReadiness(checks);
        if (!report.ready) {
          throw new ApiError(503, "not_ready", "a dependency is not ready", { checks: report.checks });
        }
        return { body: { status: "ready" as const, checks: report.checks } };
      },
    });
  };
}
