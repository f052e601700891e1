import type { PageLayout } from "../layout.ts";
import { StepError } from "../../sdk/step-error.ts";
import { DocumentErrors } from "../document-errors.ts";
import { type PdfDocument, withPdf } from "./pdfjs-runtime.ts";
import { type RawFontStyle, type RawTextItem, textItemsToLayout } from "./text-items-to-layout.ts";

export interface ExtractLayoutsOptions {
  /** 1-based page numbers to read (default: every page). */
  pages?: readonly number[];
  /** Stops the extraction (rejecting with the signal's reason) when aborted. */
  signal?: AbortSignal;
}

/** Checks 1-based page numbers against the document; a missing page is `Sluice.NoSuchPage`. */
export function checkPages(pages: readonly number[], numPages: number): void {
  for (const p of pages) {
    if (!Number.isInteger(p) || p < 1 || p > numPages) {
      throw new StepError(
        DocumentErrors.noSuchPage,
        `page ${p} does not exist (the document has ${numPages})`,
      );
    }
  }
}

/** The layout of one page of an open document. */
export async function pageLayout(pdf: PdfDocument, pageNumber: number): Promise<PageLayout> {
  const page = await pdf.getPage(pageNumber);
  try {
    const viewport = page.getViewport({ scale: 1 });
    const content = await page.getTextContent();
    const items: RawTextItem[] = [];
    for (const item of content.items) {
      if ("str" in item)
        items.push({ str: item.str, transform: item.transform, width: item.width, fontName: item.fontName });
    }
    const styles = content.styles as Record<string, RawFontStyle>;
    return textItemsToLayout(pageNumber, items, styles, {
      width: viewport.width,
      height: viewport.height,
      transform: viewport.transform,
    });
  } finally {
    page.cleanup();
  }
}

/**
 * The text layer of a PDF as page layouts (contract: workers/ai/layout.ts), one per requested page in
 * page order. Words carry boxes as page fractions and confidence 1; a page with no text layer gives
 * an empty layout (text "", no words, confidence 0) — that page needs OCR.
 * Errors: `Sluice.CorruptDocument`, `Sluice.EncryptedDocument`, `Sluice.NoSuchPage` (StepError).
 */
export async function extractPdfLayouts(
  bytes: Uint8Array,
  options: ExtractLayoutsOptions = {},
): Promise<PageLayout[]> {
  return withPdf(bytes, { signal: options.signal }, async (pdf) => {
    const pages = options.pages ?? Array.from({ length: pdf.numPages }, (_, i) => i + 1);
    checkPages(pages, pdf.numPages);
    const out: PageLayout[] = [];
    for (const p of pages) {
      options.signal?.throwIfAborted();
      out.push(await pageLayout(pdf, p));
    }
    return out;
  });
}
