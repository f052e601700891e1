import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getDocumentProxy } from "unpdf";
import { StepError } from "../../sdk/step-error.ts";
import { DocumentErrors } from "../document-errors.ts";
import { sniffFormat } from "../sniff.ts";
import { abortable } from "../abortable.ts";

/**
 * How Sluice runs pdf.js (the build bundled in unpdf 1.7) inside a worker: in-process, offline, with no
 * system fonts and no network.
 *
 * - Node 20 lacks `ArrayBuffer.prototype.transferToFixedLength`, which pdf.js 5 calls whenever it hands a
 *   font to the renderer; without it every text run of a page is dropped from the rendering ("ignoring
 *   errors during GetOperatorList"). {@link installPdfjsPolyfills} adds a copying version when missing.
 * - The bundle fetches standard-font data, CMaps and wasm decoders with `fetch()`, which cannot read
 *   `file:` URLs. {@link LocalBinaryDataFactory} reads them from the `pdfjs-dist` package on disk, so
 *   a PDF that names Helvetica without embedding it renders with real glyph outlines (pdf.js draws
 *   them as paths: `disableFontFace`), never with whatever the host's fonts happen to be.
 */

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;
export type { PdfDocument };

const require = createRequire(import.meta.url);
const PDFJS_DIST = dirname(require.resolve("pdfjs-dist/package.json"));

const DATA_DIRS = {
  standardFontDataUrl: "standard_fonts",
  cMapUrl: "cmaps",
  wasmUrl: "wasm",
} as const;
type DataKind = keyof typeof DATA_DIRS;

/** A file name pdf.js asks for: a plain name inside the data folder, never a path. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

/** pdf.js's `BinaryDataFactory` option: serves its data files from the local `pdfjs-dist` package. */
export class LocalBinaryDataFactory {
  // pdf.js constructs the factory with the URL options; the folders are fixed here instead.
  constructor(_options?: unknown) {}

  async fetch({ kind, filename }: { kind: string; filename: string }): Promise<Uint8Array> {
    if (!(kind in DATA_DIRS)) throw new Error(`pdf.js asked for unknown data kind ${kind}`);
    if (!SAFE_NAME.test(filename) || filename.includes("..")) {
      throw new Error(`pdf.js asked for an unsafe data file name ${JSON.stringify(filename)}`);
    }
    const buf = await readFile(join(PDFJS_DIST, DATA_DIRS[kind as DataKind], filename));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}

let polyfilled = false;

/** Adds what pdf.js 5 needs and Node 20 lacks (idempotent; a no-op on Node 22+). */
export function installPdfjsPolyfills(): void {
  if (polyfilled) return;
  polyfilled = true;
  const proto = ArrayBuffer.prototype as ArrayBuffer & { transferToFixedLength?: unknown };
  if (typeof proto.transferToFixedLength !== "function") {
    Object.defineProperty(ArrayBuffer.prototype, "transferToFixedLength", {
      configurable: true,
      writable: true,
      value: function transferToFixedLength(this: ArrayBuffer, length: number = this.byteLength) {
        const copy = new ArrayBuffer(length);
        new Uint8Array(copy).set(new Uint8Array(this, 0, Math.min(length, this.byteLength)));
        return copy;
      },
    });
  }
}

export interface OpenPdfOptions {
  /** Largest image (in pixels) pdf.js decodes inside a page; bigger images are skipped, not decoded. */
  maxImagePixels?: number;
}

/** Default bound on one decoded image inside a PDF page (pixels): a 600 dpi A4 scan is ~35 MP. */
export const DEFAULT_MAX_PDF_IMAGE_PIXELS = 50_000_000;

/**
 * Opens a PDF for reading. The bytes are COPIED first: pdf.js transfers (detaches) the buffer it is
 * given, and the caller's bytes must stay usable. Bytes that are not a PDF by their magic number are
 * `Sluice.UnsupportedDocument`; load failures become the document StepErrors ({@link pdfLoadError}).
 */
export async function openPdf(bytes: Uint8Array, options: OpenPdfOptions = {}): Promise<PdfDocument> {
  installPdfjsPolyfills();
  const sniffed = sniffFormat(bytes);
  if (sniffed.format === "empty")
    throw new StepError(DocumentErrors.corrupt, "the document is empty (0 bytes)");
  if (sniffed.format !== "pdf") {
    // pdf.js would search the bytes for a PDF header (and open a PDF stored inside a ZIP): refuse first.
    const what = sniffed.format === "other" ? sniffed.what : `a ${sniffed.mime} image`;
    throw new StepError(DocumentErrors.unsupported, `expected a PDF, got ${what}`);
  }
  try {
    return await getDocumentProxy(new Uint8Array(bytes), {
      isEvalSupported: false,
      useSystemFonts: false,
      disableFontFace: true,
      verbosity: 0,
      maxImageSize: options.maxImagePixels ?? DEFAULT_MAX_PDF_IMAGE_PIXELS,
      BinaryDataFactory: LocalBinaryDataFactory,
      // Placeholders: pdf.js only asks the factory when these are set; the factory ignores them.
      standardFontDataUrl: "sluice-local:/",
      cMapUrl: "sluice-local:/",
      cMapPacked: true,
      wasmUrl: "sluice-local:/",
    });
  } catch (err) {
    throw pdfLoadError(err);
  }
}

/** The document StepError for a pdf.js load failure (password, malformed, anything else). */
export function pdfLoadError(err: unknown): StepError {
  if (err instanceof StepError) return err;
  const name = err instanceof Error ? err.name : "";
  const message = err instanceof Error ? err.message : String(err);
  if (name === "PasswordException") {
    return new StepError(DocumentErrors.encrypted, `the PDF is password-protected (${message})`);
  }
  if (name === "InvalidPDFException" || name === "FormatError") {
    return new StepError(DocumentErrors.corrupt, `the PDF cannot be read: ${message}`);
  }
  return new StepError(
    DocumentErrors.corrupt,
    `the PDF cannot be read: ${name ? `${name}: ` : ""}${message}`,
  );
}

/** Runs `fn` on an open document and always releases it (pdf.js keeps parsed state until destroyed). */
export async function withPdf<T>(
  bytes: Uint8Array,
  options: OpenPdfOptions & { signal?: AbortSignal },
  fn: (pdf: PdfDocument) => Promise<T>,
): Promise<T> {
  options.signal?.throwIfAborted();
  const pdf = await openPdf(bytes, options);
  try {
    return await abortable(fn(pdf), options.signal, () => void pdf.destroy());
  } finally {
    await pdf.destroy();
  }
}
