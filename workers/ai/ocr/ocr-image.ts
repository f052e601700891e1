import type { PageLayout } from "../layout.ts";
import { OcrTimeoutError } from "./errors.ts";
import type { OcrPool } from "./pool.ts";
import { prepareImage } from "./prepare.ts";
import { emptyLayout, toPageLayout } from "./to-layout.ts";

/**
 * Longest one page may keep an engine. A letter page takes 1-4 s on a busy 2-core machine; a page that
 * takes 60 s is not a document tesseract can read, and the engine is needed by the next page.
 */
export const OCR_PAGE_BUDGET_MS = 60_000;

export interface OcrImageOptions {
  /** 1-based page number recorded in the layout. */
  page: number;
  /** Aborts waiting for an engine or the recognition (the engine is then replaced). */
  signal?: AbortSignal;
  /** Recognition time budget (default OCR_PAGE_BUDGET_MS); over it `OcrTimeoutError`, the engine is replaced. */
  budgetMs?: number;
}

/**
 * Reads the words of one image (bytes of PNG, JPEG, TIFF, WebP…) as a `PageLayout`: decode and
 * prepare with sharp, recognize on a pooled engine, normalize boxes and confidences. An image with
 * no text, or one of pixel noise (not recognized at all), gives a layout with empty text and no
 * words. Throws `OcrInputError` for unreadable or oversized images, `OcrEngineError` when the
 * recognizer fails, `OcrTimeoutError` over the page budget, the signal's reason on abort.
 */
export async function ocrImage(pool: OcrPool, bytes: Uint8Array, opts: OcrImageOptions): Promise<PageLayout> {
  const prepared = await prepareImage(bytes);
  opts.signal?.throwIfAborted();
  if (prepared.noise) return emptyLayout({ page: opts.page, width: prepared.width, height: prepared.height });
  const budgetMs = opts.budgetMs ?? OCR_PAGE_BUDGET_MS;
  const budget = new AbortController();
  const timer = setTimeout(() => budget.abort(new OcrTimeoutError(budgetMs)), budgetMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, budget.signal]) : budget.signal;
  let recognized;
  try {
    recognized = await pool.recognize(prepared.png, { signal });
  } finally {
    clearTimeout(timer);
  }
  return toPageLayout(recognized, {
    page: opts.page,
    width: prepared.width,
    height: prepared.height,
    ocrWidth: prepared.ocrWidth,
    ocrHeight: prepared.ocrHeight,
  });
}
