/**
 * The operators' routes over the job operations the tenants' API built (`api/routes/index.ts`): the
 * same tenant-scoped deps and actions, the review listing, and the fleet-level reads.
 */
import type { Runtime } from "../../shared/runtime/runtime.ts";
import type { WorkflowCatalog } from "../../shared/workflows/catalog.ts";
import { createReviews } from "../../workers/review.ts";
import type { RouteModule } from "../http/route.ts";
import type { JobActionDeps } from "../jobs/job-actions.ts";
import type { JobsApiDeps } from "../jobs/jobs-deps.ts";
import { opsRoutes } from "../routes/ops.ts";
import { opsDeps } from "./ops-deps.ts";

export function operatorRoutes(
  rt: Runtime,
  jobs: { deps: JobsApiDeps; actions: JobActionDeps },
  catalog: () => WorkflowCatalog,
): RouteModule {
  return opsRoutes(opsDeps(rt, jobs, createReviews(rt, catalog())));
}
