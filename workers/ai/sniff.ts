/**
 * Pure: what a document's first bytes say it is (magic numbers, never the file name or content type,
 * which a client controls). Sluice reads PDFs and the image formats its OCR reads (PNG, JPEG, WebP).
 */
export type SniffedFormat =
  | { format: "pdf"; mime: "application/pdf" }
  | { format: "png"; mime: "image/png" }
  | { format: "jpeg"; mime: "image/jpeg" }
  | { format: "webp"; mime: "image/webp" }
  | { format: "empty" }
  | { format: "other"; what: string };

const startsWith = (bytes: Uint8Array, sig: readonly number[], at = 0) =>
  bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** Known formats Sluice does not read, named in the error so the sender knows what it sent. */
const UNSUPPORTED: { sig: number[]; at?: number; what: string }[] = [
  { sig: [0x50, 0x4b, 0x03, 0x04], what: "a ZIP archive (or a .docx/.xlsx/.pptx/.odt)" },
  { sig: [0x50, 0x4b, 0x05, 0x06], what: "an empty ZIP archive" },
  { sig: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: "an OLE2 Office file (.doc/.xls)" },
  { sig: ascii("GIF8"), what: "a GIF image" },
  { sig: [0x49, 0x49, 0x2a, 0x00], what: "a TIFF image" },
  { sig: [0x4d, 0x4d, 0x00, 0x2a], what: "a TIFF image" },
  { sig: ascii("BM"), what: "a BMP image" },
  { sig: [0x1f, 0x8b], what: "a gzip file" },
  { sig: ascii("Rar!"), what: "a RAR archive" },
  { sig: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: "a 7-Zip archive" },
  { sig: ascii("ftyp"), at: 4, what: "an HEIC/AVIF image or an MP4 video" },
];

/** pdf.js accepts a `%PDF-` header anywhere in the first KiB (some writers put junk before it). */
const PDF_HEADER_WINDOW = 1024;

function findPdfHeader(bytes: Uint8Array): boolean {
  const sig = ascii("%PDF-");
  const end = Math.min(bytes.length, PDF_HEADER_WINDOW);
  for (let i = 0; i + sig.length <= end; i++) if (startsWith(bytes, sig, i)) return true;
  return false;
}

export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  if (bytes.length === 0) return { format: "empty" };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { format: "png", mime: "image/png" };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { format: "jpeg", mime: "image/jpeg" };
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8))
    return { format: "webp", mime: "image/webp" };
  if (startsWith(bytes, ascii("%PDF-"))) return { format: "pdf", mime: "application/pdf" };
  // Known other formats before the looser PDF search: a ZIP holding a stored PDF has `%PDF-` near its start.
  for (const u of UNSUPPORTED)
    if (startsWith(bytes, u.sig, u.at ?? 0)) return { format: "other", what: u.what };
  if (findPdfHeader(bytes)) return { format: "pdf", mime: "application/pdf" };
  return { format: "other", what: "an unrecognized format" };
}

export const SUPPORTED_FORMATS = "PDF, PNG, JPEG or WebP";
