/**
 * Runs the `sluice` CLI on an argument list and returns the exit code (never calls process.exit, so
 * tests run it in-process). Commander's own outcomes are mapped to the documented exit codes:
 * `--help` and `--version` → 0; an unknown command or option, a missing or excess argument, an
 * invalid option value, a group called without its subcommand → 2 (commander has printed the error
 * and a "Did you mean ...?" hint when one is close).
 */
import { CommanderError } from "commander";
import { EXIT, type CliContext, type CliIo } from "./context.ts";
import { buildProgram } from "./program.ts";

const OK_CODES = new Set(["commander.helpDisplayed", "commander.version", "commander.help"]);

export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const ctx: CliContext = {
    ...io,
    exit(c) {
      code = Math.max(code, c);
    },
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // `sluice jobs` alone prints the group's help to stderr: a usage error, not a success.
    if (OK_CODES.has(err.code) && err.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
}

export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    env: process.env,
  };
}
