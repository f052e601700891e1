/**
 * Paints page specs into a PDF with a real text layer (pdf-lib, the standard Helvetica fonts, which
 * need no font file), and wraps page images into an image-only PDF (no text layer at all). Output is
 * byte-for-byte deterministic: no creation/modification dates, no producer stamp.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont } from "pdf-lib";
import type { PageSpec } from "./page-model.ts";

export interface PdfMeta {
  title?: string;
}

function gray(g: number) {
  return rgb(g, g, g);
}

export async function renderTextPdf(pages: readonly PageSpec[], meta: PdfMeta = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  if (meta.title) doc.setTitle(meta.title);
  const fonts: Record<"regular" | "bold", PDFFont> = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
  };
  for (const spec of pages) {
    const page = doc.addPage([spec.width, spec.height]);
    const H = spec.height;
    for (const item of spec.items) {
      if (item.kind === "rect") {
        page.drawRectangle({
          x: item.x,
          y: H - item.y - item.h,
          width: item.w,
          height: item.h,
          ...(item.fill !== undefined ? { color: gray(item.fill) } : {}),
          ...(item.stroke !== undefined ? { borderColor: gray(item.stroke), borderWidth: 0.75 } : {}),
        });
      } else if (item.kind === "line") {
        page.drawLine({
          start: { x: item.x0, y: H - item.y0 },
          end: { x: item.x1, y: H - item.y1 },
          thickness: item.width,
          color: gray(item.gray),
        });
      } else {
        page.drawText(item.text, {
          x: item.x,
          y: H - item.y,
          size: item.size,
          font: fonts[item.weight],
          color: gray(item.gray),
        });
      }
    }
  }
  return doc.save({ useObjectStreams: false });
}

/** One page per image (PNG or JPEG bytes), each page `width`x`height` points; no text layer. */
export async function renderImagePdf(
  images: readonly { bytes: Uint8Array; format: "png" | "jpg"; width: number; height: number }[],
  meta: PdfMeta = {},
): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  if (meta.title) doc.setTitle(meta.title);
  for (const img of images) {
    const embedded = img.format === "png" ? await doc.embedPng(img.bytes) : await doc.embedJpg(img.bytes);
    const page = doc.addPage([img.width, img.height]);
    page.drawImage(embedded, { x: 0, y: 0, width: img.width, height: img.height });
  }
  return doc.save({ useObjectStreams: false });
}
