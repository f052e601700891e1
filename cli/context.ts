/**
 * What every `sluice` command gets: where to write (stdout and stderr, replaceable in tests) and the
 * exit codes, documented once (README "CLI reference"):
 *
 *   0  the operation succeeded
 *   1  the operation failed or found problems (a refused edit, an invalid workflow, a job not found)
 *   2  usage error: unknown command or flag (with a "did you mean" hint), a bad argument, an invalid
 *      configuration, or a development command run from the production build
 */
import { InvalidArgumentError, type Command } from "commander";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface CliIo {
  /** One chunk of standard output (the caller adds the newline). */
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Environment the commands read (configuration); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface CliContext extends CliIo {
  /** Records the exit code of the command that ran (the highest one wins). */
  exit(code: number): void;
}

/** A usage problem found by an action (a bad argument commander cannot judge): exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Registers `fn` as the command's action: its result is the exit code, a `UsageError` exits 2 with
 * the command's usage hint. Every command of the CLI uses it, so exit codes mean the same everywhere.
 */
export function action<A extends unknown[]>(
  cmd: Command,
  ctx: CliContext,
  fn: (...args: A) => Promise<number> | number,
): Command {
  return cmd.action(async (...args: unknown[]) => {
    try {
      ctx.exit(await fn(...(args as A)));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      ctx.err(`error: ${err.message}\n(run ${commandPath(cmd)} --help for usage)\n`);
      ctx.exit(EXIT.usage);
    }
  });
}

/** `sluice jobs list`: the command's full name, for messages. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** JSON for scripts: two-space indented, one document per invocation. */
export function printJson(ctx: CliIo, value: unknown): void {
  ctx.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Parses a positive integer option (commander's argParser). */
export function positiveInt(name: string, max = 10_000): (raw: string) => number {
  return (raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`${name} must be an integer 1-${max}`);
    return n;
  };
}

/** A command group (`sluice jobs`): called without a subcommand it prints its help and exits 2. */
export function group(parent: Command, name: string, description: string): Command {
  return parent.command(name).description(description).usage("<command> [options]");
}
