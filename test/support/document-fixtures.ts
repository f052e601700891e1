import { crc32 } from "node:zlib";
import { PDFDocument, PDFHexString, PDFName, PDFNumber, StandardFonts, degrees } from "pdf-lib";
import sharp from "sharp";

/**
 * Small documents made in the test (no files in the repository): text PDFs with the standard
 * Helvetica (not embedded — the renderer must bring its own glyphs), image-only PDFs, an encrypted
 * PDF, a ZIP, images. The corpus generator (infra/corpus) makes realistic ones; these are the minimal
 * cases the pdf/image functions are tested on.
 */

export interface TextLine {
  text: string;
  x: number;
  /** Baseline from the BOTTOM of the page, in points (PDF convention). */
  y: number;
  size?: number;
  /** Counter-clockwise rotation of the text in degrees. */
  angle?: number;
}

export async function textPdf(
  pages: TextLine[][],
  options: { width?: number; height?: number; rotate?: number } = {},
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([options.width ?? 612, options.height ?? 792]);
    if (options.rotate) page.setRotation(degrees(options.rotate));
    for (const l of lines)
      page.drawText(l.text, { x: l.x, y: l.y, size: l.size ?? 12, font, rotate: degrees(l.angle ?? 0) });
  }
  return doc.save();
}

/** A grey-ish PNG with a dark bar: pixels only, no text. */
export async function pngImage(width: number, height: number): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 3, 230);
  for (let y = Math.floor(height * 0.4); y < Math.floor(height * 0.5); y++) {
    raw.fill(20, (y * width + Math.floor(width * 0.1)) * 3, (y * width + Math.floor(width * 0.9)) * 3);
  }
  return new Uint8Array(
    await sharp(raw, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

export async function jpegImage(width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(await pngImage(width, height))
      .jpeg()
      .toBuffer(),
  );
}

/** A PDF whose pages are only an image (a scan): no text layer. */
export async function imagePdf(pageCount = 1): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const png = await doc.embedPng(await pngImage(300, 400));
  for (let i = 0; i < pageCount; i++) {
    const page = doc.addPage([300, 400]);
    page.drawImage(png, { x: 0, y: 0, width: 300, height: 400 });
  }
  return doc.save();
}

/** A PDF with `n` small pages, each with a line of text. */
export async function manyPagePdf(n: number): Promise<Uint8Array> {
  return textPdf(
    Array.from({ length: n }, (_, i) => [{ text: `Page ${i + 1}`, x: 20, y: 60 }]),
    { width: 200, height: 100 },
  );
}

/**
 * A PDF with a Standard security handler whose user password is not empty: readers must ask for a
 * password before anything else (the /U entry does not match the empty password).
 */
export async function encryptedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]);
  const ctx = doc.context;
  const bytes32 = (seed: number) =>
    PDFHexString.of(
      Array.from({ length: 32 }, (_, i) => ((i * 37 + seed) & 0xff).toString(16).padStart(2, "0")).join(""),
    );
  const encrypt = ctx.obj({
    Filter: PDFName.of("Standard"),
    V: PDFNumber.of(1),
    R: PDFNumber.of(2),
    O: bytes32(11),
    U: bytes32(71),
    P: PDFNumber.of(-44),
  });
  ctx.trailerInfo.Encrypt = ctx.register(encrypt);
  const id = PDFHexString.of("0123456789abcdef0123456789abcdef");
  ctx.trailerInfo.ID = ctx.obj([id, id]);
  return doc.save({ useObjectStreams: false });
}

/** A ZIP archive holding one stored file (what a .docx or a zipped PDF starts like). */
export function zipFile(name = "document.pdf", content = "%PDF-1.7 not really"): Uint8Array {
  const data = Buffer.from(content);
  const fname = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fname.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fname.length, 28);
  const cdOffset = local.length + fname.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fname.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return new Uint8Array(Buffer.concat([local, fname, data, central, fname, end]));
}

/** Bytes that start like a PDF and then are not one. */
export function corruptPdf(): Uint8Array {
  return new Uint8Array(
    Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\nthis is not a pdf body\n".repeat(20), "latin1"),
  );
}

/** A PNG whose header claims `width`×`height` but carries almost no data (a decompression bomb's shape). */
export async function liarPng(width: number, height: number): Promise<Uint8Array> {
  const real = Buffer.from(await pngImage(8, 8));
  const out = Buffer.from(real);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  // Fix the IHDR CRC so decoders read the header as valid.
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return new Uint8Array(out);
}
