/**
 * The document side of the accuracy benchmark: a generated document's bytes to page layouts the way
 * the document workflow reads them — a text PDF through `extractPdfLayouts` (the `pdf-text` step's
 * code; a page without a text layer is rendered and OCR'd), an image-only PDF rendered page by page
 * and OCR'd, a scan OCR'd — then `classify` and `extract` on those layouts. Times the OCR.
 */
import { classifyLayouts } from "../../workers/ai/classify/classify-layouts.ts";
import type { Classification, ClassifierModel } from "../../workers/ai/classify/model.ts";
import { extractFields, type Extraction } from "../../workers/ai/extract/extract.ts";
import type { PageLayout } from "../../workers/ai/layout.ts";
import { ocrImage, type OcrPool } from "../../workers/ai/ocr/index.ts";
import { extractPdfLayouts } from "../../workers/ai/pdf/extract-layouts.ts";
import { renderPdfPage } from "../../workers/ai/pdf/render-page.ts";

export interface OcrClock {
  pages: number;
  ms: number;
}

export interface DocumentResult {
  layouts: PageLayout[];
  classification: Classification;
  extraction: Extraction;
}

async function ocrPage(pool: OcrPool, png: Uint8Array, page: number, clock: OcrClock): Promise<PageLayout> {
  const t0 = performance.now();
  const layout = await ocrImage(pool, png, { page });
  clock.ms += performance.now() - t0;
  clock.pages++;
  return layout;
}

export async function layoutsOf(
  kind: "text-pdf" | "image-pdf" | "scan",
  bytes: Uint8Array,
  pool: OcrPool,
  clock: OcrClock,
): Promise<PageLayout[]> {
  if (kind === "scan") return [await ocrPage(pool, bytes, 1, clock)];
  const text = await extractPdfLayouts(bytes.slice());
  const out: PageLayout[] = [];
  for (const layout of text) {
    if (kind === "text-pdf" && layout.words.length > 0) {
      out.push(layout);
      continue;
    }
    const rendered = await renderPdfPage(bytes.slice(), layout.page);
    out.push(await ocrPage(pool, rendered.png, layout.page, clock));
  }
  return out;
}

export async function readDocument(
  model: ClassifierModel,
  kind: "text-pdf" | "image-pdf" | "scan",
  bytes: Uint8Array,
  pool: OcrPool,
  clock: OcrClock,
): Promise<DocumentResult> {
  const layouts = await layoutsOf(kind, bytes, pool, clock);
  const classification = classifyLayouts(model, layouts);
  return { layouts, classification, extraction: extractFields(classification.type, layouts) };
}
