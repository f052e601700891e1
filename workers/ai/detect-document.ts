import { StepError } from "../sdk/step-error.ts";
import { DocumentErrors } from "./document-errors.ts";
import { probeImage } from "./image/probe-image.ts";
import { withPdf } from "./pdf/pdfjs-runtime.ts";
import { SUPPORTED_FORMATS, sniffFormat } from "./sniff.ts";

export type DocumentKind = "text-pdf" | "image-pdf" | "image";

export interface DetectedDocument {
  kind: DocumentKind;
  mime: "application/pdf" | "image/png" | "image/jpeg" | "image/webp";
  pages: number;
}

export interface DetectOptions {
  /** Page cap: a PDF with more pages is `Sluice.TooManyPages` (default 50). */
  maxPages?: number;
  /** Pixel cap for an image: over it `Sluice.ImageTooLarge` (default 150 MP). */
  maxImagePixels?: number;
  signal?: AbortSignal;
}

export const DEFAULT_MAX_PAGES = 50;

/** A page has a text layer when it holds at least this many non-space characters of text. */
export const MIN_TEXT_CHARS_PER_PAGE = 1;

/**
 * What a document is, from its bytes (magic numbers, never its name): a PDF whose every page has a text
 * layer is `text-pdf` (read with pdf-text), a PDF with any page without one is `image-pdf` (rendered and
 * OCRed), a PNG/JPEG/WebP is `image` (1 page). Errors (StepError): empty or unparsable →
 * `Sluice.CorruptDocument`; another format (a ZIP named .pdf, …) → `Sluice.UnsupportedDocument`;
 * password-protected → `Sluice.EncryptedDocument`; over the page cap → `Sluice.TooManyPages`; an
 * image over the pixel cap → `Sluice.ImageTooLarge`.
 */
export async function detectDocument(
  bytes: Uint8Array,
  options: DetectOptions = {},
): Promise<DetectedDocument> {
  const sniffed = sniffFormat(bytes);
  switch (sniffed.format) {
    case "empty":
      throw new StepError(DocumentErrors.corrupt, "the document is empty (0 bytes)");
    case "other":
      throw new StepError(
        DocumentErrors.unsupported,
        `the document is ${sniffed.what}, not a ${SUPPORTED_FORMATS} (${bytes.length} bytes)`,
      );
    case "png":
    case "jpeg":
    case "webp": {
      const info = await probeImage(bytes, { maxPixels: options.maxImagePixels });
      return { kind: "image", mime: info.mime, pages: 1 };
    }
    case "pdf":
      return detectPdf(bytes, options);
  }
}

async function detectPdf(bytes: Uint8Array, options: DetectOptions): Promise<DetectedDocument> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  return withPdf(bytes, { signal: options.signal }, async (pdf) => {
    const pages = pdf.numPages;
    if (pages < 1) throw new StepError(DocumentErrors.corrupt, "the PDF has no pages");
    if (pages > maxPages) {
      throw new StepError(
        DocumentErrors.tooManyPages,
        `the PDF has ${pages} pages, over the cap of ${maxPages}`,
      );
    }
    let allText = true;
    for (let n = 1; n <= pages && allText; n++) {
      options.signal?.throwIfAborted();
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      page.cleanup();
      let chars = 0;
      for (const item of content.items) if ("str" in item) chars += item.str.replace(/\s+/g, "").length;
      allText = chars >= MIN_TEXT_CHARS_PER_PAGE;
    }
    return { kind: allText ? "text-pdf" : "image-pdf", mime: "application/pdf", pages };
  });
}
