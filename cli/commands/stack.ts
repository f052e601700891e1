/**
 * `sluice stack up|down|status|logs|env`: the local stack of a clone (LocalStack and a MongoDB-wire
 * server; infra/stack/), a development command reached through the dev-tools loader.
 */
import type { Command } from "commander";
import { action, group, positiveInt, type CliContext } from "../context.ts";
import { runDevTool } from "../dev-tools.ts";

export function register(program: Command, ctx: CliContext): void {
  program.commandsGroup("Development commands (a clone only):");
  const stack = group(
    program,
    "stack",
    "the local stack: LocalStack (SQS, S3, Step Functions) and MongoDB-wire",
  ).addHelpText(
    "after",
    "\nEnvironment: SLUICE_STACK=auto|host|docker, SLUICE_LOCALSTACK_PORT (4566), SLUICE_MONGO_PORT (27017),\n  SLUICE_MONGO_BACKEND=memory|h2, SLUICE_STATE_DIR, SLUICE_CACHE_DIR; AWS_ENDPOINT_URL + MONGO_URL of\n  another server: use those, start nothing.",
  );
  const run = (argv: string[]) => runDevTool("stack", argv, ctx);
  action(stack.command("up").description("start what is not running yet; prints the export lines"), ctx, () =>
    run(["up"]),
  );
  action(stack.command("down").description("stop exactly what up started"), ctx, () => run(["down"]));
  action(
    stack.command("status").description("each service: running or stopped, pid, port, health"),
    ctx,
    () => run(["status"]),
  );
  action(
    stack
      .command("env")
      .description(`export lines with the real credentials: eval "$(npx sluice stack env)"`),
    ctx,
    () => run(["env"]),
  );
  action(
    stack
      .command("logs")
      .description("show (or follow) the logs of the stack's services")
      .argument("[service]", "localstack | mongo (default both)")
      .option("-f, --follow", "keep printing new lines")
      .option("-n, --lines <n>", "lines to show", positiveInt("--lines", 1_000_000), 50),
    ctx,
    (service: string | undefined, o: { follow?: boolean; lines: number }) =>
      run(["logs", ...(service ? [service] : []), ...(o.follow ? ["-f"] : []), "-n", String(o.lines)]),
  );
}
