/**
 * The API's operations: each module of `api/routes/` registers its routes through the route helper
 * (`api/http/route.ts`). `api/main.ts` builds this list from the runtime; `/healthz`, `/readyz` and
 * `/openapi.json` are the server's own.
 */
import { randomBytes } from "node:crypto";
import type { Runtime } from "../../shared/runtime/runtime.ts";
import type { RouteModule } from "../http/route.ts";
import { jobsApiDeps, type CatalogSource } from "../jobs/jobs-runtime.ts";
import { jobRoutes } from "./jobs.ts";
import { operatorRoutes } from "../ops/ops-wiring.ts";

/**
 * `workflows`: what new jobs may run (the scheduler's fleet catalog in `api/main.ts`). `flush` writes
 * the submissions' pending intake confirmations: call it after the server closed, before the runtime.
 */
export function apiRoutes(
  rt: Runtime,
  workflows: CatalogSource,
): { modules: RouteModule[]; flush: () => Promise<void> } {
  const c = rt.config.jobsApi;
  const { deps, actions, flush } = jobsApiDeps(rt, workflows, {
    uploadMaxBytes: c.uploadMaxBytes,
    urlTtlSeconds: c.urlTtlSeconds,
    // Unset: a key of this process (its cursors are valid on it only; README).
    cursorSecret: c.cursorSecret ?? randomBytes(32).toString("hex"),
  });
  const current = "current" in workflows ? workflows.current : () => workflows;
  return { modules: [jobRoutes(deps, actions), operatorRoutes(rt, { deps, actions }, current)], flush };
}
