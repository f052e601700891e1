/**
 * `GET /v1/workflows`: what this tenant may run — every valid workflow of the catalog with the
 * version a new job is created on. (No tenant is restricted to a subset today; a refused file is
 * not listed, and submitting it answers `invalid_workflow` with its problems.)
 */
import type { JobsApiDeps } from "./jobs-deps.ts";

export function listWorkflows(deps: Pick<JobsApiDeps, "catalog">) {
  const catalog = deps.catalog();
  return {
    workflows: catalog.names().flatMap((name) => {
      const wf = catalog.get(name);
      return wf === undefined ? [] : [{ name, version: wf.version }];
    }),
  };
}
