/**
 * `npm run corpus -- generate --n N --seed S --out DIR [--kinds ...] [--strengths ...] [--types ...]`:
 * writes a generated corpus with ground truth (see generate.ts). Exit codes: 0 done, 2 bad arguments.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { writeBadInputs } from "./bad-inputs.ts";
import { generateCorpus } from "./generate.ts";
import { DOC_KINDS, DOC_TYPES, STRENGTHS } from "./types.ts";

export const CORPUS_USAGE = `usage:
  corpus generate --n N --seed S --out DIR [--kinds K,...] [--strengths S,...] [--types T,...] [--scale X] [--quiet]
  corpus bad-inputs --out DIR

Writes N documents with ground truth into DIR: <id>.pdf|.png|.jpg, <id>.truth.json and manifest.json.
The same seed and options always give the same files.
  --n          number of documents (1..100000)
  --seed       any string or number
  --out        output folder (created if missing)
  --kinds      ${DOC_KINDS.join(",")} (default: all)
  --strengths  scan degradation: ${STRENGTHS.join(",")} (default: both)
  --types      ${DOC_TYPES.join(",")} (default: all)
  --scale      pixels per PDF point for page images (default 2 = 144 dpi; 1..4)
  --quiet      no progress output

bad-inputs writes the files a pipeline must survive (corrupt, empty, encrypted and 50-page PDFs, a zip
named .pdf, a picture with no text, a 30 MB image) and bad-inputs.json saying what each one is.`;

function list<T extends string>(values: readonly [T, ...T[]], what: string) {
  return z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z.enum(values, {
            error: (i) => `unknown ${what} ${JSON.stringify(i.input)} (one of ${values.join(", ")})`,
          }),
        )
        .min(1, `--${what}s needs at least one value`),
    );
}

export const GenerateArgsSchema = z.object({
  n: z.coerce
    .number({ error: "--n must be a number" })
    .int("--n must be a whole number")
    .min(1, "--n must be at least 1")
    .max(100_000, "--n must be at most 100000"),
  seed: z.string({ error: "--seed is required" }).min(1, "--seed must not be empty"),
  out: z.string({ error: "--out is required" }).min(1, "--out must not be empty"),
  kinds: list(DOC_KINDS, "kind").optional(),
  strengths: list(STRENGTHS, "strength").optional(),
  types: list(DOC_TYPES, "type").optional(),
  scale: z.coerce
    .number({ error: "--scale must be a number" })
    .min(1, "--scale must be at least 1")
    .max(4, "--scale must be at most 4")
    .optional(),
  quiet: z.boolean().optional(),
});
export type GenerateArgs = z.infer<typeof GenerateArgsSchema>;

/** Parses argv (after "generate"); returns the args, "help", or an error message. */
export function parseGenerateArgs(argv: readonly string[]): GenerateArgs | "help" | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        n: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
        kinds: { type: "string" },
        strengths: { type: "string" },
        types: { type: "string" },
        scale: { type: "string" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  const { help, ...values } = parsed.values;
  if (help) return "help";
  const result = GenerateArgsSchema.safeParse(values);
  if (!result.success) return { error: result.error.issues.map((i) => i.message).join("; ") };
  return result.data;
}

export async function corpusCommand(
  argv: readonly string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === "--help" || action === "-h" || action === "help") {
    out(CORPUS_USAGE);
    return action === undefined ? 2 : 0;
  }
  if (action === "bad-inputs") return badInputsCommand(rest, out);
  if (action !== "generate") {
    console.error(`unknown corpus action ${JSON.stringify(action)}\n${CORPUS_USAGE}`);
    return 2;
  }
  const args = parseGenerateArgs(rest);
  if (args === "help") {
    out(CORPUS_USAGE);
    return 0;
  }
  if ("error" in args) {
    console.error(`corpus generate: ${args.error}\n${CORPUS_USAGE}`);
    return 2;
  }
  const started = performance.now();
  const every = Math.max(1, Math.round(args.n / 20));
  const manifest = await generateCorpus({
    n: args.n,
    seed: args.seed,
    outDir: args.out,
    ...(args.kinds ? { kinds: args.kinds } : {}),
    ...(args.strengths ? { strengths: args.strengths } : {}),
    ...(args.types ? { types: args.types } : {}),
    ...(args.scale ? { scale: args.scale } : {}),
    onProgress: (done, total) => {
      if (args.quiet || (done % every !== 0 && done !== total)) return;
      const s = (performance.now() - started) / 1000;
      const eta = (s / done) * (total - done);
      out(
        `[corpus] ${done}/${total} (${Math.round((done / total) * 100)}%) ${s.toFixed(1)} s, about ${eta.toFixed(0)} s left`,
      );
    },
  });
  const byKind = new Map<string, number>();
  for (const d of manifest.documents) {
    const k = d.strength ? `${d.kind}/${d.strength}` : d.kind;
    byKind.set(k, (byKind.get(k) ?? 0) + 1);
  }
  const bytes = manifest.documents.reduce((s, d) => s + d.bytes, 0);
  out(
    `[corpus] wrote ${manifest.documents.length} documents (${[...byKind].map(([k, v]) => `${v} ${k}`).join(", ")}; ${(bytes / 1e6).toFixed(1)} MB) and manifest.json to ${args.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return 0;
}

async function badInputsCommand(argv: readonly string[], out: (line: string) => void): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
    }).values;
  } catch (err) {
    console.error(`corpus bad-inputs: ${err instanceof Error ? err.message : String(err)}\n${CORPUS_USAGE}`);
    return 2;
  }
  if (values.help) {
    out(CORPUS_USAGE);
    return 0;
  }
  if (!values.out) {
    console.error(`corpus bad-inputs: --out is required\n${CORPUS_USAGE}`);
    return 2;
  }
  for (const b of await writeBadInputs(values.out)) out(`[corpus] ${b.file}: ${b.claim}`);
  return 0;
}
