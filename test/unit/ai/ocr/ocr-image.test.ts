import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { wordAccuracy } from "../../../../bench/accuracy/word-accuracy.ts";
import { generateDocument } from "../../../../infra/corpus/index.ts";
import { PageLayoutSchema } from "../../../../workers/ai/layout.ts";
import { OcrInputError } from "../../../../workers/ai/ocr/errors.ts";
import { ocrImage } from "../../../../workers/ai/ocr/ocr-image.ts";
import { createOcrPool } from "../../../../workers/ai/ocr/pool.ts";

const pool = createOcrPool({ size: 1 });
afterAll(() => pool.close());

// Recognition takes seconds on a busy machine (engine start ~2 s, a page 1-4 s).
describe("ocrImage (tesseract.js, local English data)", { timeout: 60_000 }, () => {
  it("reads the words of a generated mild scan (skewed, noisy JPEG) with boxes in reading order", async () => {
    const scan = await generateDocument("ocr-unit", { kind: "scan", strength: "mild", type: "invoice" });
    const layout = await ocrImage(pool, scan.bytes, { page: 2 });
    expect(PageLayoutSchema.parse(layout)).toEqual(layout);
    expect(layout).toMatchObject({ page: 2, source: "ocr" });
    const { matched, words } = wordAccuracy(scan.truth.text[0]!, layout.text);
    expect(matched / words).toBeGreaterThanOrEqual(0.9);
    // Lines come top to bottom: the first line's words sit above the last line's.
    const lines = layout.text.split("\n");
    const first = layout.words.find((w) => w.text === lines[0]!.split(" ")[0]);
    const last = layout.words.findLast((w) => w.text === lines.at(-1)!.split(" ")[0]);
    expect(first!.y1).toBeLessThan(last!.y0);
    for (const w of layout.words) expect(w.x1 > w.x0 && w.y1 > w.y0).toBe(true);
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
    const jpeg = await sharp({ create: { width: 200, height: 200, channels: 3, background: "#fff" } })
      .jpeg()
      .toBuffer();
    const err = await ocrImage(pool, jpeg.subarray(0, jpeg.length / 2), { page: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OcrInputError);
    expect(pool.stats().replaced).toBe(0);
  });
});
