import { describe, expect, it } from "vitest";
import { PageLayoutSchema } from "../../../../workers/ai/layout.ts";
import type { RecognizedWord } from "../../../../workers/ai/ocr/recognized.ts";
import { toPageLayout } from "../../../../workers/ai/ocr/to-layout.ts";

const word = (
  text: string,
  confidence: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): RecognizedWord => ({
  text,
  confidence,
  bbox: { x0, y0, x1, y1 },
});
const frame = { page: 3, width: 400, height: 200, ocrWidth: 800, ocrHeight: 400 };

describe("toPageLayout", () => {
  it("normalizes boxes to the recognized image, confidences to 0..1, and joins text by lines", () => {
    const layout = toPageLayout(
      {
        blocks: [
          {
            paragraphs: [
              {
                lines: [
                  { words: [word("Total:", 90, 80, 40, 200, 80), word("12.50", 70, 220, 40, 320, 80)] },
                ],
              },
              {
                lines: [
                  { words: [word(" ", 10, 0, 0, 1, 1)] },
                  { words: [word("EUR", 80, 80, 100, 160, 140)] },
                ],
              },
            ],
          },
        ],
      },
      frame,
    );
    expect(PageLayoutSchema.parse(layout)).toEqual(layout);
    expect(layout).toMatchObject({
      page: 3,
      width: 400,
      height: 200,
      source: "ocr",
      text: "Total: 12.50\nEUR",
    });
    expect(layout.words).toHaveLength(3);
    expect(layout.words[0]).toEqual({ text: "Total:", x0: 0.1, y0: 0.1, x1: 0.25, y1: 0.2, confidence: 0.9 });
    expect(layout.confidence).toBe(0.8);
  });

  it("clamps boxes that overhang the image and orders inverted corners", () => {
    const layout = toPageLayout(
      { blocks: [{ paragraphs: [{ lines: [{ words: [word("x", 120, 900, 410, -5, 20)] }] }] }] },
      frame,
    );
    expect(layout.words[0]).toEqual({ text: "x", x0: 0, y0: 0.05, x1: 1, y1: 1, confidence: 1 });
  });

  it("a page of junk (mean word confidence under 0.3) is a page with no text", () => {
    const junk = {
      blocks: [
        {
          paragraphs: [
            { lines: [{ words: [word("oo", 13, 10, 10, 40, 30), word("~", 40, 50, 10, 60, 30)] }] },
          ],
        },
      ],
    };
    expect(toPageLayout(junk, frame)).toEqual({
      page: 3,
      width: 400,
      height: 200,
      source: "ocr",
      text: "",
      words: [],
      confidence: 0,
    });
  });

  it("a page with no words has empty text and confidence 0", () => {
    expect(toPageLayout({ blocks: null }, frame)).toMatchObject({ text: "", words: [], confidence: 0 });
  });
});
