/**
 * Command-line arguments of the service entry points (scheduler, worker): a closed set of flags,
 * `--help` printing the usage and every environment setting, and a precise error (exit 2) for
 * anything else. Pure: parsing returns a decision; the entry point prints and exits.
 */
import { configDocs } from "../config/docs.ts";

export interface EntryFlag {
  readonly name: `--${string}`;
  readonly description: string;
}

export interface EntrySpec {
  /** How to start it, e.g. `node dist/workers/main.js`. */
  readonly command: string;
  readonly summary: string;
  readonly flags: readonly EntryFlag[];
}

export type EntryArgs =
  | { readonly kind: "run"; readonly flags: ReadonlySet<string> }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "error"; readonly text: string };

const HELP: EntryFlag = { name: "--help", description: "print this help and exit" };

export function parseEntryArgs(spec: EntrySpec, argv: readonly string[]): EntryArgs {
  const known = new Set([HELP.name, "-h", ...spec.flags.map((f) => f.name)]);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length > 0) {
    return {
      kind: "error",
      text: `${spec.command}: unknown argument ${unknown.map((a) => JSON.stringify(a)).join(", ")}\nrun with --help for the usage`,
    };
  }
  if (argv.includes(HELP.name) || argv.includes("-h")) return { kind: "help", text: entryUsage(spec) };
  return { kind: "run", flags: new Set(argv) };
}

export function entryUsage(spec: EntrySpec): string {
  const flags = [...spec.flags, HELP];
  const width = Math.max(...flags.map((f) => f.name.length));
  const settings = configDocs();
  const nameWidth = Math.max(...settings.map((s) => s.name.length));
  return [
    `usage: ${spec.command} [${flags.map((f) => f.name).join("] [")}]`,
    "",
    spec.summary,
    "",
    "options:",
    ...flags.map((f) => `  ${f.name.padEnd(width)}  ${f.description}`),
    "",
    "configuration (environment variables; default in brackets):",
    ...settings.map((s) => `  ${s.name.padEnd(nameWidth)}  [${s.default}] ${s.description}`),
    "",
  ].join("\n");
}

/** Applies the decision for an entry point: prints help (exit 0) or the error (exit 2); else the flags. */
export function entryArgsOrExit(spec: EntrySpec, argv: readonly string[]): ReadonlySet<string> {
  const args = parseEntryArgs(spec, argv);
  if (args.kind === "run") return args.flags;
  if (args.kind === "help") {
    process.stdout.write(args.text);
    process.exit(0);
  }
  process.stderr.write(`${args.text}\n`);
  process.exit(2);
}
