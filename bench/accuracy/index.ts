/**
 * `npm run bench -- accuracy`: end-to-end accuracy of the document steps on a FRESH generated corpus
 * (a new seed each run unless --seed): text PDFs, image-only PDFs and mild and harsh scans go through
 * the same code as the pdf-text / pdf-render / ocr steps, then classify and extract; every field is
 * compared with the ground truth. Prints per-field accuracy per set, the words read against the truth text, the classifier's accuracy on the
 * fresh corpus and its held-out accuracy from training, OCR pages/s, and ends with the line
 *   accuracy: pdf P%, scans S%, classifier C%
 * (P: fields right on text PDFs; S: on mild scans; C: documents classified right, all sets).
 *
 * Options: --seed S, --text N (text PDFs, default 50), --scans N (per strength, default 25),
 * --image-pdfs N (default 10), --ocr-engines N (default 1), --quick (10/5/2), --no-save.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCorpus, type DocKind, type Strength, type Truth } from "../../infra/corpus/index.ts";
import { loadClassifierModel } from "../../workers/ai/classify/load-model.ts";
import { createOcrPool } from "../../workers/ai/ocr/index.ts";
import { intOption, parseArgs } from "../lib/args.ts";
import { describeMachine, machineInfo } from "../lib/machine-info.ts";
import { progress } from "../lib/progress.ts";
import { writeResult } from "../lib/results.ts";
import { readDocument, type OcrClock } from "./pipeline.ts";
import { printAccuracyReport } from "./report.ts";
import { scoreSets, type ScoredDocument } from "./score.ts";
import { wordAccuracy } from "./word-accuracy.ts";

interface SetPlan {
  name: string;
  kind: DocKind;
  strength?: Strength;
  n: number;
}

export async function accuracyBench(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["seed", "text", "scans", "image-pdfs", "ocr-engines"]);
  const quick = args.flags.has("quick");
  const seed = args.values.get("seed") ?? String(Date.now() % 1_000_000_007);
  const plans: SetPlan[] = [
    { name: "text PDFs", kind: "text-pdf", n: intOption(args, "text", quick ? 10 : 50) },
    { name: "image PDFs", kind: "image-pdf", n: intOption(args, "image-pdfs", quick ? 2 : 10) },
    { name: "mild scans", kind: "scan", strength: "mild", n: intOption(args, "scans", quick ? 5 : 25) },
    { name: "harsh scans", kind: "scan", strength: "harsh", n: intOption(args, "scans", quick ? 5 : 25) },
  ];
  const model = await loadClassifierModel();
  const pool = createOcrPool({ size: intOption(args, "ocr-engines", 1) });
  const dir = await mkdtemp(join(tmpdir(), "sluice-accuracy-"));
  const clock: OcrClock = { pages: 0, ms: 0 };
  const scored: ScoredDocument[] = [];
  const t0 = performance.now();
  try {
    for (const plan of plans) {
      const out = join(dir, plan.name.replace(/\s+/g, "-"));
      progress(`${plan.name}: generating ${plan.n} documents (seed ${seed})`);
      const manifest = await generateCorpus({
        n: plan.n,
        seed: `${seed}:${plan.name}`,
        outDir: out,
        kinds: [plan.kind],
        ...(plan.strength ? { strengths: [plan.strength] } : {}),
      });
      for (const [i, entry] of manifest.documents.entries()) {
        const truth = JSON.parse(await readFile(join(out, entry.truth), "utf8")) as Truth;
        const bytes = new Uint8Array(await readFile(join(out, entry.file)));
        const r = await readDocument(model, truth.kind, bytes, pool, clock);
        scored.push({
          set: plan.name,
          type: truth.type,
          predictedType: r.classification.type,
          truthFields: truth.fields,
          extracted: r.extraction.fields,
          words: (({ matched, words }) => ({ right: matched, total: words }))(
            wordAccuracy(truth.text.join("\n"), r.layouts.map((l) => l.text).join("\n")),
          ),
        });
        if ((i + 1) % 5 === 0 || i + 1 === manifest.documents.length) {
          const ocr = clock.pages > 0 ? `, OCR ${(clock.pages / (clock.ms / 1000)).toFixed(2)} pages/s` : "";
          progress(`${plan.name}: ${i + 1}/${manifest.documents.length} read${ocr}`);
        }
      }
    }
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
  const sets = scoreSets(scored);
  const result = printAccuracyReport({
    seed,
    sets,
    model,
    ocrPagesPerSecond: clock.pages > 0 ? clock.pages / (clock.ms / 1000) : 0,
    ocrPages: clock.pages,
    seconds: (performance.now() - t0) / 1000,
    machine: describeMachine(machineInfo()),
  });
  if (!args.flags.has("no-save")) progress(`results written to ${await writeResult("accuracy", result)}`);
  return 0;
}
