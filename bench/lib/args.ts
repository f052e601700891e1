/** Minimal `--flag` / `--key value` / `--key=value` parsing for benchmark commands. */

export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string>;
  positional: string[];
}

export function parseArgs(argv: readonly string[], valued: readonly string[] = []): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const key = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (eq !== -1) values.set(key, arg.slice(eq + 1));
    else if (valued.includes(key) && i + 1 < argv.length) values.set(key, argv[++i]!);
    else flags.add(key);
  }
  return { flags, values, positional };
}

/** A positive integer option, or `fallback`. */
export function intOption(args: ParsedArgs, key: string, fallback: number): number {
  const raw = args.values.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${key} must be a positive integer, got '${raw}'`);
  return n;
}
