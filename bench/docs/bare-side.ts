/**
 * The bare side of `bench docs`: the same reading work as `document-intelligence`, call for call, on
 * the same bytes, with no Sluice around it — no queues, no S3, no MongoDB, no engine: detect, a
 * thumbnail, per page the PDF text layer (text PDFs) or a render then OCR (image-only PDFs) or OCR
 * (images), at most 4 pages of a document at once as in the workflow's Map, then classify and extract
 * when there is text. `concurrency` documents at once, like the worker's job slots.
 */
import { detectDocument } from "../../workers/ai/detect-document.ts";
import { classifyText } from "../../workers/ai/classify/model.ts";
import { loadClassifierModel } from "../../workers/ai/classify/load-model.ts";
import { extractFields } from "../../workers/ai/extract/extract.ts";
import { makeThumbnail } from "../../workers/ai/image/make-thumbnail.ts";
import type { PageLayout } from "../../workers/ai/layout.ts";
import { createOcrPool, ocrImage, type OcrPool } from "../../workers/ai/ocr/index.ts";
import { extractPdfLayouts } from "../../workers/ai/pdf/extract-layouts.ts";
import { renderPdfPage } from "../../workers/ai/pdf/render-page.ts";

export interface BareFile {
  readonly bytes: Uint8Array;
}

export interface BareSideResult {
  readonly elapsedMs: number;
  readonly documents: number;
  /** Pages of the documents read through to the end. */
  readonly pages: number;
  readonly failed: number;
}

/** The workflow's Map runs at most this many pages of one document at once. */
const PAGES_AT_ONCE = 4;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}

async function readDocument(
  pool: OcrPool,
  model: Awaited<ReturnType<typeof loadClassifierModel>>,
  bytes: Uint8Array,
) {
  // Each call gets its own copy, as each step reads its own from S3 (pdf.js detaches the buffer).
  const copy = () => bytes.slice();
  const detected = await detectDocument(copy());
  await makeThumbnail(copy()).catch(() => undefined);
  const pages = Array.from({ length: detected.pages }, (_, i) => i + 1);
  const layouts: PageLayout[] = await mapLimit(pages, PAGES_AT_ONCE, async (page) => {
    if (detected.kind === "text-pdf") return (await extractPdfLayouts(copy(), { pages: [page] }))[0]!;
    if (detected.kind === "image-pdf") {
      const rendered = await renderPdfPage(copy(), page);
      return ocrImage(pool, rendered.png, { page });
    }
    return ocrImage(pool, copy(), { page });
  });
  const text = layouts.map((l) => l.text).join("\n");
  if (text.trim().length > 0) {
    const c = classifyText(model, text);
    extractFields(c.type, layouts);
  }
  return detected.pages;
}

export async function runBareSide(
  files: readonly BareFile[],
  concurrency: number,
  ocrPoolSize: number,
): Promise<BareSideResult> {
  const model = await loadClassifierModel();
  const pool = createOcrPool({ size: ocrPoolSize });
  try {
    const t0 = performance.now();
    let failed = 0;
    const pages = await mapLimit(files, concurrency, (f) =>
      readDocument(pool, model, f.bytes).catch(() => {
        failed++;
        return 0;
      }),
    );
    return {
      elapsedMs: performance.now() - t0,
      documents: files.length,
      pages: pages.reduce((a, b) => a + b, 0),
      failed,
    };
  } finally {
    await pool.close();
  }
}
