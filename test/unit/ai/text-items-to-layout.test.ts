import { describe, expect, it } from "vitest";
import { PageLayoutSchema } from "../../../workers/ai/layout.ts";
import { type RawTextItem, textItemsToLayout } from "../../../workers/ai/pdf/text-items-to-layout.ts";

// A 600×800 pt page at scale 1, no rotation: device (x, y) = (e, 800 - f).
const viewport = { width: 600, height: 800, transform: [1, 0, 0, -1, 0, 800] };
const item = (str: string, x: number, y: number, width: number, size = 10): RawTextItem => ({
  str,
  transform: [size, 0, 0, size, x, y],
  width,
  fontName: "f1",
});

describe("textItemsToLayout", () => {
  it("splits a run into words with boxes inside the run, in page fractions from the top-left", () => {
    const layout = textItemsToLayout(1, [item("Invoice INV-7", 60, 700, 120)], {}, viewport);
    expect(PageLayoutSchema.parse(layout)).toEqual(layout);
    expect(layout.text).toBe("Invoice INV-7");
    expect(layout.words.map((w) => w.text)).toEqual(["Invoice", "INV-7"]);
    const [a, b] = layout.words;
    expect(a!.x0).toBeCloseTo(60 / 600, 5);
    expect(b!.x1).toBeCloseTo(180 / 600, 5);
    expect(a!.x1).toBeLessThan(b!.x0);
    // Baseline at 100 pt from the top; ascent 0.8 and descent 0.2 of a 10 pt font.
    expect(a!.y0).toBeCloseTo(92 / 800, 5);
    expect(a!.y1).toBeCloseTo(102 / 800, 5);
    expect(layout.confidence).toBe(1);
    expect(layout.source).toBe("pdf-text");
  });

  it("orders lines top to bottom and words left to right whatever the item order", () => {
    const layout = textItemsToLayout(
      2,
      [
        item("Total", 60, 100, 30),
        item("1234.56", 400, 100, 40),
        item("Vendor", 60, 700, 40),
        item("ACME", 400, 700, 30),
      ],
      {},
      viewport,
    );
    expect(layout.page).toBe(2);
    expect(layout.text).toBe("Vendor ACME\nTotal 1234.56");
  });

  it("merges glyphs placed one by one into a word, keeps separate words apart", () => {
    const glyphs = [..."Hello"].map((ch, i) => item(ch, 100 + i * 6, 500, 6));
    const layout = textItemsToLayout(1, [...glyphs, item("world", 140, 500, 30)], {}, viewport);
    expect(layout.words.map((w) => w.text)).toEqual(["Hello", "world"]);
    expect(layout.words[0]!.x0).toBeCloseTo(100 / 600, 5);
    expect(layout.words[0]!.x1).toBeCloseTo(130 / 600, 5);
  });

  it("uses the font's ascent and descent when pdf.js reports them", () => {
    const layout = textItemsToLayout(
      1,
      [item("X", 0, 400, 10)],
      { f1: { ascent: 1, descent: -0.5 } },
      viewport,
    );
    expect(layout.words[0]!.y0).toBeCloseTo(390 / 800, 5);
    expect(layout.words[0]!.y1).toBeCloseTo(405 / 800, 5);
  });

  it("maps a rotated page through its viewport (90°: user x runs down the device)", () => {
    // /Rotate 90 on a 600×800 page: viewport 800×600, transform [0, 1, 1, 0, 0, 0].
    const rotated = { width: 800, height: 600, transform: [0, 1, 1, 0, 0, 0] };
    const layout = textItemsToLayout(1, [item("Side", 100, 200, 40)], {}, rotated);
    const w = layout.words[0]!;
    expect(w.text).toBe("Side");
    // Device x = user y (200 ± font), device y = user x (100..140).
    expect(w.y0).toBeCloseTo(100 / 600, 4);
    expect(w.y1).toBeCloseTo(140 / 600, 4);
    expect(w.x0).toBeLessThan(200 / 800);
  });

  it("drops blank items, clamps text outside the page, and gives an empty page confidence 0", () => {
    expect(textItemsToLayout(1, [item("   ", 10, 10, 10)], {}, viewport)).toMatchObject({
      text: "",
      words: [],
      confidence: 0,
    });
    const off = textItemsToLayout(1, [item("edge", 590, 5, 40)], {}, viewport);
    expect(PageLayoutSchema.safeParse(off).success).toBe(true);
    expect(off.words[0]!.x1).toBe(1);
  });
});
