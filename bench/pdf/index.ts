import { PDFDocument, StandardFonts } from "pdf-lib";
import { detectDocument } from "../../workers/ai/detect-document.ts";
import { makeThumbnail } from "../../workers/ai/image/make-thumbnail.ts";
import { extractPdfLayouts } from "../../workers/ai/pdf/extract-layouts.ts";
import { renderPdfPage } from "../../workers/ai/pdf/render-page.ts";

/**
 * `npm run bench -- pdf [--docs N] [--pages P]`: the document functions on generated text PDFs (an
 * invoice-like page of ~40 lines), warm, one call at a time: detect, pdf-text per page, pdf-render per
 * page at scale 2, thumbnail. Prints per-call milliseconds (p50/p95) and pdf-text pages/s.
 */

async function invoicePdf(seed: number, pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`ACME Supplies ${seed} — Invoice INV-${1000 + seed}`, { x: 50, y: 790, size: 16, font });
    for (let i = 0; i < 40; i++) {
      const amount = ((seed * 37 + i * 13) % 9000) / 7;
      page.drawText(
        `Item ${i + 1}  Widget type ${(seed + i) % 17}  qty ${1 + (i % 5)}  ${amount.toFixed(2)} EUR`,
        {
          x: 50,
          y: 750 - i * 17,
          size: 10,
          font,
        },
      );
    }
  }
  return doc.save();
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms (n=${s.length})`;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function flag(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
}

export async function pdfBench(argv: string[]): Promise<number> {
  const docs = flag(argv, "--docs", 20);
  const pages = flag(argv, "--pages", 2);
  const files = await Promise.all(Array.from({ length: docs }, (_, i) => invoicePdf(i, pages)));
  // Warm-up: pdf.js module load, font data, canvas.
  await extractPdfLayouts(files[0]!);
  await renderPdfPage(files[0]!, 1);

  const detect: number[] = [];
  const text: number[] = [];
  const render: number[] = [];
  const thumb: number[] = [];
  let textPages = 0;
  let textMs = 0;
  for (const f of files) {
    detect.push(await time(() => detectDocument(f)));
    for (let p = 1; p <= pages; p++) {
      const ms = await time(() => extractPdfLayouts(f, { pages: [p] }));
      text.push(ms);
      textMs += ms;
      textPages++;
      render.push(await time(() => renderPdfPage(f, p, { scale: 2 })));
    }
    thumb.push(await time(() => makeThumbnail(f, { maxSide: 256 })));
  }
  console.log(`documents: ${docs} text PDFs × ${pages} pages (A4, ~40 lines a page)`);
  console.log(`detect:     ${stats(detect)}`);
  console.log(`pdf-text:   ${stats(text)} per page (open + text layer + layout)`);
  console.log(`pdf-render: ${stats(render)} per page at scale 2`);
  console.log(`thumbnail:  ${stats(thumb)} (page 1, 256 px)`);
  console.log(`pdf: text-pages-per-s ${((textPages * 1000) / textMs).toFixed(1)}`);
  return 0;
}
