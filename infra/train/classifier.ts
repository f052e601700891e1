/**
 * `npm run train -- classifier [--n N] [--seed S] [--out DIR]`: trains the document-type classifier
 * on a generated corpus and writes `DIR/v<version>.json` (default `models/classifier/`, committed and
 * loaded by the `classify` step).
 *
 * The texts are the ones the step sees: the corpus' text PDFs read by `extractPdfLayouts` (the same
 * code as the `pdf-text` step) and joined by `documentText`; training adds OCR-like noisy copies for
 * scans (workers/ai/classify/train.ts). Deterministic for a seed: same corpus, same split, same noise,
 * same weights.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "../../bench/lib/args.ts";
import { documentText } from "../../workers/ai/classify/classify-layouts.ts";
import { CLASSIFIER_MODEL_VERSION, MODELS_DIR } from "../../workers/ai/classify/load-model.ts";
import { DOCUMENT_TYPES, type ClassifierModel, type DocumentType } from "../../workers/ai/classify/model.ts";
import { trainClassifier, type LabelledText } from "../../workers/ai/classify/train.ts";
import { extractPdfLayouts } from "../../workers/ai/pdf/extract-layouts.ts";
import { generateCorpus } from "../corpus/index.ts";

export interface ClassifierTrainingOptions {
  n: number;
  seed: number;
  outDir: string;
  version: number;
  log: (line: string) => void;
}

function intArg(raw: string | undefined, name: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${raw}'`);
  return n;
}

/** Labelled texts of `n` generated text PDFs, read as the pdf-text step reads them. */
export async function corpusTexts(
  n: number,
  seed: number,
  log: (line: string) => void,
): Promise<LabelledText[]> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-train-"));
  try {
    log(`[train] generating ${n} text PDFs (seed ${seed}) in ${dir}`);
    await generateCorpus({ n, seed, outDir: dir, kinds: ["text-pdf"] });
    const truths = (await readdir(dir)).filter((f) => f.endsWith(".truth.json")).sort();
    const out: LabelledText[] = [];
    for (const [i, file] of truths.entries()) {
      const truth = JSON.parse(await readFile(join(dir, file), "utf8")) as {
        id: string;
        type: string;
        kind: string;
      };
      if (truth.kind !== "text-pdf" || !(DOCUMENT_TYPES as readonly string[]).includes(truth.type)) continue;
      const layouts = await extractPdfLayouts(new Uint8Array(await readFile(join(dir, `${truth.id}.pdf`))));
      out.push({ text: documentText(layouts), type: truth.type as DocumentType });
      if ((i + 1) % 100 === 0) log(`[train] read ${i + 1}/${truths.length} documents`);
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The artifact as JSON with one weight row per line (readable metadata, diffable weights). */
export function serializeModel(model: ClassifierModel): string {
  const marker = "__WEIGHT_ROWS__";
  const text = JSON.stringify({ ...model, weights: marker }, null, 2);
  const rows = model.weights.map((r) => `    ${JSON.stringify(r)}`).join(",\n");
  return `${text.replace(`"${marker}"`, `[\n${rows}\n  ]`)}\n`;
}

export async function trainAndWrite(
  opts: ClassifierTrainingOptions,
): Promise<{ path: string; model: ClassifierModel }> {
  const t0 = performance.now();
  const docs = await corpusTexts(opts.n, opts.seed, opts.log);
  opts.log(
    `[train] ${docs.length} texts read in ${((performance.now() - t0) / 1000).toFixed(1)} s; training`,
  );
  const { model, report } = trainClassifier(docs, {
    seed: opts.seed,
    n: opts.n,
    version: opts.version,
    log: opts.log,
  });
  for (const line of report) opts.log(line);
  await mkdir(opts.outDir, { recursive: true });
  const path = join(opts.outDir, `v${opts.version}.json`);
  await writeFile(path, serializeModel(model));
  opts.log(`[train] wrote ${path} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { path, model };
}

export async function trainClassifierCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, ["n", "seed", "out", "version"]);
  if (args.flags.has("help") || args.flags.has("h")) {
    console.log(
      "usage: npm run train -- classifier [--n N (400)] [--seed S (1)] [--out DIR (models/classifier)] [--version V]",
    );
    return 0;
  }
  const unknown = [...args.flags, ...args.positional];
  if (unknown.length > 0) {
    console.error(`npm run train -- classifier: unknown argument ${unknown.join(" ")}`);
    return 2;
  }
  try {
    await trainAndWrite({
      n: intArg(args.values.get("n"), "n", 400, 10),
      seed: intArg(args.values.get("seed"), "seed", 1, 0),
      outDir: resolve(args.values.get("out") ?? join(MODELS_DIR, "classifier")),
      version: intArg(args.values.get("version"), "version", CLASSIFIER_MODEL_VERSION, 1),
      log: (l) => console.log(l),
    });
    return 0;
  } catch (err) {
    console.error(`[train] ${(err as Error).message}`);
    return 1;
  }
}
