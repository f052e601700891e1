/** `sluice workflows ...`: the workflow definitions (workers/cli/workflows.ts validates them). */
import type { Command } from "commander";
import { action, group, type CliContext } from "../context.ts";

export function register(program: Command, ctx: CliContext): void {
  const workflows = group(program, "workflows", "workflow definitions: validate");
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
}
