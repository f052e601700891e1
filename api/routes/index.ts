/**
 * The API's operations: each module of `api/routes/` registers its routes through the route helper
 * (`api/http/route.ts`). `api/main.ts` builds this list from the runtime; `/healthz`, `/readyz` and
 * `/openapi.json` are the server's own.
 */
import type { Runtime } from "../../shared/runtime/runtime.ts";
import type { RouteModule } from "../http/route.ts";

export function apiRoutes(_rt: Runtime): RouteModule[] {
  return [];
}
