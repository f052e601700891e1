/**
 * The OCR part of `npm run bench -- accuracy`: word accuracy (bench/accuracy/word-accuracy.ts) and
 * pages per second of the `ocr` step's work (sharp preparation + tesseract.js recognition through the
 * same pool and code as the step, without S3 or the fleet) over a set of scans with their truth.
 * Engines are started before the clock runs, so pages/s is the steady state of a warm worker.
 */
import sharp from "sharp";
import { ocrImage } from "../../workers/ai/ocr/ocr-image.ts";
import { createOcrPool, type OcrPool } from "../../workers/ai/ocr/pool.ts";
import { wordAccuracy } from "./word-accuracy.ts";

/** One scanned page and its text (a corpus scan: `bytes`, `truth.text[0]`, `truth.strength`). */
export interface OcrBenchDoc {
  id: string;
  bytes: Uint8Array;
  truth: { text: readonly string[]; strength?: string | undefined };
}

export interface OcrAccuracy {
  pages: number;
  words: number;
  matched: number;
  /** matched / words (1 when there are no words). */
  wordAccuracy: number;
}

export interface OcrMeasurement extends OcrAccuracy {
  /** Pages read per second of wall time, with `poolSize` pages in flight. */
  pagesPerSecond: number;
  seconds: number;
  poolSize: number;
  /** Per scan strength (`mild`, `harsh`; `unknown` when a document has none). */
  byStrength: Record<string, OcrAccuracy>;
  /** Per document, for a report's worst cases. */
  documents: { id: string; strength: string; words: number; matched: number; seconds: number }[];
}

export interface MeasureOcrOptions {
  /** Engines reading at once (default 1: one core per engine). */
  poolSize?: number;
  /** Use this pool instead of making (and closing) one. */
  pool?: OcrPool;
  /** Called after each page (progress). */
  onPage?: (done: number, total: number) => void;
}

export async function measureOcr(
  docs: readonly OcrBenchDoc[],
  opts: MeasureOcrOptions = {},
): Promise<OcrMeasurement> {
  const poolSize = opts.poolSize ?? 1;
  const pool = opts.pool ?? createOcrPool({ size: poolSize });
  try {
    await warm(pool, poolSize);
    const documents: OcrMeasurement["documents"] = [];
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < docs.length) {
        const doc = docs[next++]!;
        const t = performance.now();
        const layout = await ocrImage(pool, doc.bytes, { page: 1 });
        const { matched, words } = wordAccuracy(doc.truth.text[0] ?? "", layout.text);
        documents.push({
          id: doc.id,
          strength: doc.truth.strength ?? "unknown",
          words,
          matched,
          seconds: (performance.now() - t) / 1000,
        });
        opts.onPage?.(documents.length, docs.length);
      }
    };
    await Promise.all(Array.from({ length: poolSize }, worker));
    const seconds = (performance.now() - started) / 1000;
    const byStrength: Record<string, OcrAccuracy> = {};
    for (const s of new Set(documents.map((d) => d.strength))) {
      byStrength[s] = summarize(documents.filter((d) => d.strength === s));
    }
    return {
      ...summarize(documents),
      pagesPerSecond: seconds > 0 ? documents.length / seconds : 0,
      seconds,
      poolSize,
      byStrength,
      documents,
    };
  } finally {
    if (!opts.pool) await pool.close();
  }
}

function summarize(docs: readonly { words: number; matched: number }[]): OcrAccuracy {
  const words = docs.reduce((n, d) => n + d.words, 0);
  const matched = docs.reduce((n, d) => n + d.matched, 0);
  return { pages: docs.length, words, matched, wordAccuracy: words === 0 ? 1 : matched / words };
}

/** Starts every engine of the pool (a blank page each) so start-up is not counted. */
async function warm(pool: OcrPool, n: number): Promise<void> {
  const blank = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#ffffff" } })
    .png()
    .toBuffer();
  await Promise.all(Array.from({ length: n }, () => ocrImage(pool, blank, { page: 1 })));
}
