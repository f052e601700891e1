/**
 * `sluice workflows validate [file|dir]`: checks workflow files the way the
 * fleet loads them (JSON, ASL validation, a registered step for every Task `Resource`), without
 * touching MongoDB or AWS. Each file is reported on its own: `ok <file> <version>` or
 * `invalid <file>` followed by one `<file>: <json-pointer>: <message>` line per problem.
 *
 * Exit codes: 0 every file valid, 1 any file invalid, 2 bad arguments or no workflow files.
 */
import { stat } from "node:fs/promises";
import { relative } from "node:path";
import { STATEMACHINES_DIR } from "../../shared/runtime/runtime.ts";
import { loadWorkflowFile, workflowFiles, type CatalogOptions } from "../../shared/workflows/catalog.ts";
import { defaultSteps } from "../steps/index.ts";

export const WORKFLOWS_USAGE = `usage:
  workflows validate [file|dir]   default dir: statemachines/; exit 1 if any file is invalid`;

export interface WorkflowsCommandDeps {
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Which Task resources have a step; default the fleet's `defaultSteps()`. */
  hasStep?: CatalogOptions["hasStep"];
}

export async function workflowsCommand(
  argv: readonly string[],
  deps: WorkflowsCommandDeps = {},
): Promise<number> {
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const err = deps.err ?? ((t: string) => void process.stderr.write(t));
  const [action, target, ...extra] = argv;
  if (action !== "validate" || extra.length > 0) {
    err(
      `workflows: ${action === "validate" ? "too many arguments" : `unknown action ${JSON.stringify(action ?? "")}`}\n${WORKFLOWS_USAGE}\n`,
    );
    return 2;
  }
  const path = target ?? STATEMACHINES_DIR;
  let files: string[];
  try {
    files = (await stat(path)).isDirectory() ? await workflowFiles(path) : [path];
  } catch (e) {
    err(`workflows: cannot read ${path}: ${(e as Error).message}\n`);
    return 2;
  }
  if (files.length === 0) {
    err(`workflows: no *.asl.json files in ${path}\n`);
    return 2;
  }
  const steps = deps.hasStep ? undefined : defaultSteps();
  const hasStep = deps.hasStep ?? ((r: string) => steps?.resolve(r) !== undefined);
  let invalid = 0;
  for (const file of files) {
    const r = await loadWorkflowFile(file, { hasStep });
    const shown = relative(process.cwd(), file) || file;
    if (r.ok) {
      out(`ok       ${shown}  version ${r.workflow.version}\n`);
    } else {
      invalid += 1;
      out(`invalid  ${shown}\n${r.invalid.problems.map((p) => `  ${p}\n`).join("")}`);
    }
  }
  out(`${files.length - invalid} valid, ${invalid} invalid\n`);
  return invalid > 0 ? 1 : 0;
}
