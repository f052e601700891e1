/**
 * The `sluice` command tree. Each command group lives in its own file under cli/commands/ and
 * exports `register(program, ctx)`; adding a group is one line in `GROUPS`, adding a subcommand is
 * one `group.command(...)` in the group's file (see cli/commands/tenants.ts for the pattern).
 *
 * Settings shared by every level (set here, inherited by each subcommand when it is created):
 * `--help` (exit 0), errors through `exitOverride` (so cli/run.ts maps them to exit 2), suggestions
 * for a mistyped command or flag, and the usage hint after an error.
 */
import { Command } from "commander";
import type { CliContext } from "./context.ts";
import { register as completion } from "./commands/completion.ts";
import { register as dev } from "./commands/dev.ts";
import { register as dlq } from "./commands/dlq.ts";
import { register as fleet } from "./commands/fleet.ts";
import { register as iam } from "./commands/iam.ts";
import { register as jobs } from "./commands/jobs.ts";
import { register as llm } from "./commands/llm.ts";
import { register as review } from "./commands/review.ts";
import { register as stack } from "./commands/stack.ts";
import { register as tenants } from "./commands/tenants.ts";
import { register as workflows } from "./commands/workflows.ts";

export type RegisterGroup = (program: Command, ctx: CliContext) => void;

/** In the order `sluice --help` lists them: operators' commands first, then the development tools. */
export const GROUPS: readonly RegisterGroup[] = [
  tenants,
  jobs,
  review,
  dlq,
  fleet,
  workflows,
  llm,
  iam,
  stack,
  dev,
  completion,
];

export function buildProgram(ctx: CliContext): Command {
  const program = new Command("sluice")
    .description(
      "Operate a Sluice fleet: tenants and quotas, jobs, reviews, dead letters, workers; and the development tools of a clone.",
    )
    .usage("<command> [options]")
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err })
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError("(add --help for usage)")
    .addHelpText(
      "after",
      '\nExit codes: 0 ok, 1 the operation failed or found problems, 2 usage error (unknown command or flag,\nbad argument, invalid configuration). Listing and get commands take --json for scripts.\nConfiguration comes from the environment (README: Configuration); against the local stack run\n  eval "$(npx sluice stack env)"   first.',
    );
  program.commandsGroup("Operator commands:");
  for (const register of GROUPS) register(program, ctx);
  return program;
}
