/**
 * `sluice workflows list|validate|versions`: the workflow definitions — the files this clone or build
 * would run (validated as the fleet loads them: workers/cli/workflows.ts), and every version jobs were
 * created or started on (`workflow_versions` in MongoDB).
 */
import type { Command } from "commander";
import { formatTable } from "../../scheduler/cli/table.ts";
import { action, EXIT, group, positiveInt, printJson, type CliContext } from "../context.ts";
import { withRuntime } from "../runtime.ts";

async function catalogOf(dir: string | undefined) {
  const { STATEMACHINES_DIR } = await import("../../shared/runtime/runtime.ts");
  const { loadWorkflowCatalog } = await import("../../shared/workflows/catalog.ts");
  const { defaultSteps } = await import("../../workers/steps/index.ts");
  const steps = defaultSteps();
  return loadWorkflowCatalog(dir ?? STATEMACHINES_DIR, { hasStep: (r) => steps.resolve(r) !== undefined });
}

export function register(program: Command, ctx: CliContext): void {
  const workflows = group(program, "workflows", "workflow definitions: list, validate, versions");

  action(
    workflows
      .command("list")
      .description(
        "the workflows in a folder (default the bundled statemachines/): name, version, valid or not",
      )
      .option("--dir <dir>", "another folder of <name>.asl.json files (e.g. your SLUICE_WORKFLOWS_DIR)")
      .option("--json", "machine-readable output"),
    ctx,
    async (o: { dir?: string; json?: boolean }) => {
      const catalog = await catalogOf(o.dir);
      const valid = catalog.names().map((n) => ({
        name: n,
        version: catalog.get(n)?.version ?? "",
        valid: true,
        problems: [] as string[],
      }));
      const invalid = catalog
        .invalidWorkflows()
        .map((w) => ({ name: w.name, version: null, valid: false, problems: w.problems }));
      const rows = [...valid, ...invalid].sort((a, b) => a.name.localeCompare(b.name));
      if (o.json) printJson(ctx, { workflows: rows });
      else {
        ctx.out(
          `${formatTable(
            ["WORKFLOW", "VERSION", "VALID", "PROBLEMS"],
            rows.map((r) => [
              r.name,
              r.version ?? "-",
              r.valid ? "yes" : "no",
              r.problems.length === 0 ? "" : `${r.problems.length} (workflows validate)`,
            ]),
          )}\n`,
        );
      }
      return invalid.length > 0 ? EXIT.failed : EXIT.ok;
    },
  );

  action(
    workflows
      .command("validate")
      .description(
        "check workflow files as the fleet loads them (JSON, ASL, a step for every Task); one <file>: <json-pointer>: <message> line per problem; exit 1 if any is invalid",
      )
      .argument("[path]", "a .asl.json file or a directory (default: the bundled statemachines/)"),
    ctx,
    async (path: string | undefined) => {
      const { workflowsCommand } = await import("../../workers/cli/workflows.ts");
      return workflowsCommand(["validate", ...(path === undefined ? [] : [path])], {
        out: ctx.out,
        err: ctx.err,
      });
    },
  );

  action(
    workflows
      .command("versions")
      .description(
        "every version of a workflow that jobs were created or started on (workflow_versions), newest first",
      )
      .argument("<name>", "workflow name")
      .option("--limit <n>", "at most n versions (1-1000)", positiveInt("--limit", 1000), 20)
      .option("--json", "machine-readable output"),
    ctx,
    async (name: string, o: { limit: number; json?: boolean }) => {
      const current = (await catalogOf(undefined)).get(name)?.version;
      return withRuntime(ctx, "workflows", async (rt) => {
        const { MongoWorkflowVersionStore } = await import("../../shared/workflows/version-store.ts");
        const docs = await new MongoWorkflowVersionStore(rt.fleetDb).listByName(name, o.limit);
        const rows = docs.map((d) => ({
          version: d._id,
          recordedAt: new Date(d.recordedAt).toISOString(),
          current: d._id === current,
          states: Object.keys((JSON.parse(d.definition) as { States?: object }).States ?? {}).length,
        }));
        if (o.json) printJson(ctx, { workflow: name, currentVersion: current ?? null, versions: rows });
        else if (rows.length === 0) {
          ctx.out(`${name}: no version recorded yet (one is recorded when a job is created on it)\n`);
        } else {
          ctx.out(
            `${formatTable(
              ["VERSION", "RECORDED", "CURRENT", "STATES"],
              rows.map((r) => [r.version, r.recordedAt, r.current ? "yes" : "", String(r.states)]),
            )}\n`,
          );
        }
        return EXIT.ok;
      });
    },
  );
}
