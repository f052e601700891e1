/**
 * The workflows a fleet runs from several folders: Sluice's `statemachines/` and a user's
 * `SLUICE_WORKFLOWS_DIR`. One name in two folders is refused (a `ConfigError`: which file would run
 * is not guessed), an unreadable folder too.
 */
import { basename } from "node:path";
import { ConfigError } from "../config/config-error.ts";
import {
  loadWorkflowFile,
  workflowFiles,
  WorkflowCatalog,
  type CatalogOptions,
  type InvalidWorkflow,
  type Workflow,
} from "./catalog.ts";

export async function loadWorkflowDirs(
  dirs: readonly string[],
  opts: CatalogOptions = {},
): Promise<WorkflowCatalog> {
  const workflows = new Map<string, Workflow>();
  const invalid: InvalidWorkflow[] = [];
  const from = new Map<string, string>();
  const problems: string[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = await workflowFiles(dir);
    } catch (err) {
      problems.push(`SLUICE_WORKFLOWS_DIR: cannot read ${dir}: ${(err as Error).message}`);
      continue;
    }
    for (const path of files) {
      const name = basename(path, ".asl.json");
      const earlier = from.get(name);
      if (earlier !== undefined) {
        problems.push(`SLUICE_WORKFLOWS_DIR: workflow "${name}" of ${path} clashes with ${earlier}`);
        continue;
      }
      from.set(name, path);
      const r = await loadWorkflowFile(path, opts);
      if (r.ok) workflows.set(r.workflow.name, r.workflow);
      else invalid.push(r.invalid);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new WorkflowCatalog(workflows, invalid);
}
