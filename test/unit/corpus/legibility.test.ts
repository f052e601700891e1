import { createRequire } from "node:module";
import path from "node:path";
import Tesseract from "tesseract.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBadInput } from "../../../infra/corpus/bad-inputs.ts";
import { generateDocument } from "../../../infra/corpus/index.ts";

// Tesseract on the generated pages: a mild scan must be readable (the OCR step and the accuracy
// bench depend on it) and the picture with no text must give no word. English data from
// node_modules, nothing fetched.
const langPath = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@tesseract.js-data/eng/package.json")),
  "4.0.0_best_int",
);

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/[^a-z0-9.,/@&-]/g, ""))
    .filter(Boolean);

/** Share of the truth's words found by OCR (as a multiset). */
function recall(truth: string, got: string): number {
  const bag = new Map<string, number>();
  for (const w of words(got)) bag.set(w, (bag.get(w) ?? 0) + 1);
  const want = words(truth);
  let hit = 0;
  for (const w of want) {
    const n = bag.get(w) ?? 0;
    if (n > 0) {
      hit++;
      bag.set(w, n - 1);
    }
  }
  return hit / want.length;
}

describe("generated pages under OCR", () => {
  let worker: Tesseract.Worker;
  beforeAll(async () => {
    worker = await Tesseract.createWorker("eng", Tesseract.OEM.LSTM_ONLY, {
      langPath,
      gzip: true,
      cacheMethod: "none",
      errorHandler: () => {},
    });
  }, 60_000);
  afterAll(async () => {
    await worker?.terminate();
  });

  it("reads a mild scan: nearly every word, and every field value as printed", async () => {
    const doc = await generateDocument("legible-1", { kind: "scan", type: "invoice", strength: "mild" });
    const { data } = await worker.recognize(Buffer.from(doc.bytes), { rotateAuto: true });
    expect(recall(doc.truth.text.join("\n"), data.text)).toBeGreaterThanOrEqual(0.95);
    const flat = data.text.replace(/\s+/g, " ");
    for (const [name, shown] of Object.entries(doc.truth.shown))
      for (const s of shown) expect(flat, name).toContain(s);
  }, 60_000);

  it("finds no confident word in the picture with no text", async () => {
    const bad = await makeBadInput("no-text-image");
    const { data } = await worker.recognize(Buffer.from(bad.bytes), { rotateAuto: true }, { blocks: true });
    const confident = (data.blocks ?? [])
      .flatMap((b) => b.paragraphs.flatMap((p) => p.lines.flatMap((l) => l.words)))
      .filter((w) => w.confidence >= 60 && /[a-z]{3,}/i.test(w.text));
    expect(confident.map((w) => w.text)).toEqual([]);
  }, 60_000);
});
