import type { PageLayout } from "../layout.ts";
import type { OcrPool } from "./pool.ts";
import { prepareImage } from "./prepare.ts";
import { toPageLayout } from "./to-layout.ts";

export interface OcrImageOptions {
  /** 1-based page number recorded in the layout. */
  page: number;
  /** Aborts waiting for an engine or the recognition (the engine is then replaced). */
  signal?: AbortSignal;
}

/**
 * Reads the words of one image (bytes of PNG, JPEG, TIFF, WebP…) as a `PageLayout`: decode and
 * prepare with sharp, recognize on a pooled engine, normalize boxes and confidences. An image with
 * no text gives a layout with empty text and no words. Throws `OcrInputError` for unreadable or
 * oversized images, `OcrEngineError` when the recognizer fails, the signal's reason on abort.
 */
export async function ocrImage(pool: OcrPool, bytes: Uint8Array, opts: OcrImageOptions): Promise<PageLayout> {
  const prepared = await prepareImage(bytes);
  opts.signal?.throwIfAborted();
  const recognized = await pool.recognize(prepared.png, opts.signal ? { signal: opts.signal } : {});
  return toPageLayout(recognized, {
    page: opts.page,
    width: prepared.width,
    height: prepared.height,
    ocrWidth: prepared.ocrWidth,
    ocrHeight: prepared.ocrHeight,
  });
}
