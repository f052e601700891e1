import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { wordAccuracy } from "../../../../bench/accuracy/word-accuracy.ts";
import { PageLayoutSchema } from "../../../../workers/ai/layout.ts";
import { OcrInputError } from "../../../../workers/ai/ocr/errors.ts";
import { ocrImage } from "../../../../workers/ai/ocr/ocr-image.ts";
import { createOcrPool } from "../../../../workers/ai/ocr/pool.ts";

const LINES = [
  "INVOICE INV-20391",
  "Date: 2026-03-14 Due: 2026-04-13",
  "Vendor: Northwind Traders",
  "Total: 1234.56 EUR",
];

/** A page of text as a scan would give it: rotated 1.5°, grey paper, slightly blurred, JPEG. */
async function scannedPage(lines: readonly string[]): Promise<Buffer> {
  const text = lines
    .map((l, i) => `<text x="40" y="${70 + i * 48}" font-family="DejaVu Sans" font-size="24">${l}</text>`)
    .join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="820" height="300"><rect width="100%" height="100%" fill="#eeeeea"/>${text}</svg>`;
  return sharp(Buffer.from(svg))
    .rotate(1.5, { background: "#eeeeea" })
    .blur(0.6)
    .jpeg({ quality: 70 })
    .toBuffer();
}

const pool = createOcrPool({ size: 1 });
afterAll(() => pool.close());

// Recognition takes seconds on a busy machine (engine start ~2 s, a page 1-4 s).
describe("ocrImage (tesseract.js, local English data)", { timeout: 60_000 }, () => {
  it("reads the words of a skewed, blurred JPEG scan with boxes in reading order", async () => {
    const layout = await ocrImage(pool, await scannedPage(LINES), { page: 2 });
    expect(PageLayoutSchema.parse(layout)).toEqual(layout);
    expect(layout).toMatchObject({ page: 2, source: "ocr" });
    const { matched, words } = wordAccuracy(LINES.join("\n"), layout.text);
    expect(matched / words).toBeGreaterThanOrEqual(0.9);
    expect(layout.text.split("\n")).toHaveLength(LINES.length);
    const total = layout.words.find((w) => w.text === "1234.56");
    const invoice = layout.words.find((w) => w.text === "INVOICE");
    expect(total).toBeDefined();
    expect(invoice).toBeDefined();
    // The total's line is below the title's, both in the left half of the page.
    expect(total!.y0).toBeGreaterThan(invoice!.y1);
    expect(invoice!.x0).toBeLessThan(0.5);
    expect(layout.confidence).toBeGreaterThan(0.7);
  });

  it("an image with no text gives empty text, no words and confidence 0", async () => {
    const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: "#f4f4f0" } })
      .png()
      .toBuffer();
    const layout = await ocrImage(pool, blank, { page: 1 });
    expect(layout).toMatchObject({ text: "", words: [], confidence: 0, width: 640, height: 480 });
  });

  it("a corrupt image is an input error before any recognition", async () => {
    const jpeg = await scannedPage(["x"]);
    const err = await ocrImage(pool, jpeg.subarray(0, 200), { page: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OcrInputError);
    expect(pool.stats().replaced).toBe(0);
  });
});
