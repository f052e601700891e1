/**
 * Development commands: tools that live in the clone (infra/, bench/, test/, demo/), reached through
 * the one dev-tools loader (cli/dev-tools.ts). Each takes its own arguments and passes them on
 * unchanged to the tool, which parses them (its usage: `sluice <command> --help`, or the README).
 * `stack` has its own file (cli/commands/stack.ts) because its subcommands are described here too.
 */
import type { Command } from "commander";
import { action, type CliContext } from "../context.ts";
import { runDevTool, type DevTool } from "../dev-tools.ts";

interface PassThrough {
  readonly tool: DevTool;
  readonly args: string;
  readonly description: string;
  readonly help: string;
}

/** In `sluice --help` order. Adding a development tool: an entry in DEV_TOOLS and one here. */
const PASS_THROUGH: readonly PassThrough[] = [
  {
    tool: "provision",
    args: "[args...]",
    description: "create queues, bucket, indexes and default quotas for tenants",
    help: "  --tenants a,b,c | --file tenants.json   (the tool's own --help lists every flag)",
  },
  {
    tool: "test",
    args: "[args...]",
    description:
      "start the local stack if needed, run every check (lint, types, tests), stop what it started",
    help: "  extra arguments go to vitest",
  },
  {
    tool: "demo",
    args: "[args...]",
    description: "start the local stack if needed, run three tenants' jobs on a fleet, report",
    help: "  --keep-stack, --json (README: The demo)",
  },
  {
    tool: "build",
    args: "[args...]",
    description: "compile the services and the CLI into dist/ (the production build)",
    help: "  takes no arguments",
  },
  {
    tool: "bench",
    args: "<name> [args...]",
    description: "run a benchmark (asl, worker, fairness, docs, ...; README: Benchmarks)",
    help: "  sluice bench <name> --help: that benchmark's options",
  },
  {
    tool: "chaos",
    args: "[args...]",
    description: "the fleet under faults: kills, restarts, garbage; counts losses",
    help: "  see bench/chaos/ and the README",
  },
  {
    tool: "conformance",
    args: "[file]",
    description: "run the AWS-recorded ASL corpus through the engine",
    help: "  default corpus: ../shared/asl-corpus",
  },
  {
    tool: "corpus",
    args: "<action> [args...]",
    description: "generated business documents with ground truth (corpus generate --help)",
    help: "  actions: generate",
  },
  {
    tool: "train",
    args: "<model> [args...]",
    description: "train a shipped model and write its artifact (classifier)",
    help: "  models: classifier",
  },
];

export function register(program: Command, ctx: CliContext): void {
  program.commandsGroup("Development commands (a clone only):");
  for (const p of PASS_THROUGH) {
    const cmd = program
      .command(p.tool)
      .description(p.description)
      .usage(`${p.args} [options]`)
      .argument("[args...]", "passed to the tool unchanged")
      .allowUnknownOption()
      .helpOption(false)
      .addHelpText("after", `\nThe tool's arguments:\n${p.help}`);
    action(cmd, ctx, (args: string[]) => {
      // `sluice bench --help` is this help; `sluice bench fairness --help` is the tool's own.
      if (args.length === 0 ? p.args.startsWith("<") : isHelp(args[0])) {
        cmd.outputHelp(args.length === 0 ? { error: true } : undefined);
        return args.length === 0 ? 2 : 0;
      }
      return runDevTool(p.tool, args, ctx);
    });
  }
}

function isHelp(arg: string | undefined): boolean {
  return arg === "--help" || arg === "-h";
}
