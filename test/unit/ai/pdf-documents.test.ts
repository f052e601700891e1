import sharp from "sharp";
import { describe, expect, it, vi } from "vitest";
import { detectDocument } from "../../../workers/ai/detect-document.ts";
import { PageLayoutSchema } from "../../../workers/ai/layout.ts";
import { extractPdfLayouts } from "../../../workers/ai/pdf/extract-layouts.ts";
import { LocalBinaryDataFactory } from "../../../workers/ai/pdf/pdfjs-runtime.ts";
import { fitScale, pngSize, renderPdfPage } from "../../../workers/ai/pdf/render-page.ts";
import { StepError } from "../../../workers/steps/registry.ts";
import {
  corruptPdf,
  encryptedPdf,
  imagePdf,
  jpegImage,
  manyPagePdf,
  pngImage,
  textPdf,
  zipFile,
} from "../../support/document-fixtures.ts";

async function stepError(p: Promise<unknown>): Promise<StepError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StepError);
  return err as StepError;
}

/** Dark pixels of a PNG (glyphs drawn on the white page). */
async function darkPixels(
  png: Uint8Array,
  region?: { left: number; top: number; width: number; height: number },
) {
  let img = sharp(png).flatten({ background: "#ffffff" }).greyscale();
  if (region) img = img.extract(region);
  const data = await img.raw().toBuffer();
  let n = 0;
  for (const v of data) if (v < 128) n++;
  return n;
}

const invoice = () =>
  textPdf([
    [
      { text: "ACME Supplies Ltd", x: 50, y: 740, size: 16 },
      { text: "Invoice number INV-2041", x: 50, y: 700 },
      { text: "Total 1234.56 EUR", x: 50, y: 660 },
    ],
    [{ text: "Page two", x: 50, y: 740 }],
  ]);

describe("detectDocument", () => {
  it("tells a text PDF, an image-only PDF and images apart by their bytes", async () => {
    expect(await detectDocument(await invoice())).toEqual({
      kind: "text-pdf",
      mime: "application/pdf",
      pages: 2,
    });
    expect(await detectDocument(await imagePdf(2))).toEqual({
      kind: "image-pdf",
      mime: "application/pdf",
      pages: 2,
    });
    expect(await detectDocument(await pngImage(40, 30))).toEqual({
      kind: "image",
      mime: "image/png",
      pages: 1,
    });
    expect(await detectDocument(await jpegImage(40, 30))).toEqual({
      kind: "image",
      mime: "image/jpeg",
      pages: 1,
    });
  });

  it("names each bad input with its own error and a cause", async () => {
    const empty = await stepError(detectDocument(new Uint8Array()));
    expect(empty.error).toBe("Sluice.CorruptDocument");
    expect(empty.causeText).toMatch(/empty/);
    const zip = await stepError(detectDocument(zipFile()));
    expect(zip.error).toBe("Sluice.UnsupportedDocument");
    expect(zip.causeText).toMatch(/ZIP/);
    const corrupt = await stepError(detectDocument(corruptPdf()));
    expect(corrupt.error).toBe("Sluice.CorruptDocument");
    const truncated = (await invoice()).slice(0, 40);
    expect((await stepError(detectDocument(truncated))).error).toBe("Sluice.CorruptDocument");
    const locked = await stepError(detectDocument(await encryptedPdf()));
    expect(locked.error).toBe("Sluice.EncryptedDocument");
    expect(locked.causeText).toMatch(/password/);
    const text = await stepError(detectDocument(new TextEncoder().encode("hello, plain text")));
    expect(text.error).toBe("Sluice.UnsupportedDocument");
  });

  it("refuses more pages than the cap (default 50) and accepts the cap itself", async () => {
    const big = await stepError(detectDocument(await manyPagePdf(51)));
    expect(big.error).toBe("Sluice.TooManyPages");
    expect(big.causeText).toMatch(/51 pages.*cap of 50/);
    expect((await detectDocument(await manyPagePdf(50))).pages).toBe(50);
    expect((await stepError(detectDocument(await manyPagePdf(4), { maxPages: 3 }))).error).toBe(
      "Sluice.TooManyPages",
    );
  });

  it("leaves the caller's bytes usable (pdf.js detaches the buffer it is given)", async () => {
    const bytes = await invoice();
    await detectDocument(bytes);
    expect(bytes.byteLength).toBeGreaterThan(0);
    expect((await detectDocument(bytes)).kind).toBe("text-pdf");
  });
});

describe("extractPdfLayouts", () => {
  it("reads every page's words with boxes where the text was drawn", async () => {
    const layouts = await extractPdfLayouts(await invoice());
    expect(layouts).toHaveLength(2);
    for (const l of layouts) PageLayoutSchema.parse(l);
    const [p1, p2] = layouts;
    expect(p1!.text).toBe("ACME Supplies Ltd\nInvoice number INV-2041\nTotal 1234.56 EUR");
    expect(p1!.width).toBe(612);
    expect(p1!.height).toBe(792);
    const inv = p1!.words.find((w) => w.text === "INV-2041")!;
    // Drawn at baseline y=700 pt from the bottom: ~92 pt from the top of a 792 pt page.
    expect(inv.y1).toBeGreaterThan(88 / 792);
    expect(inv.y0).toBeLessThan(92 / 792);
    expect(inv.x0).toBeGreaterThan(50 / 612);
    expect(p2).toMatchObject({ page: 2, text: "Page two", confidence: 1 });
  });

  it("reads only the pages asked for, and names a page the document lacks", async () => {
    const bytes = await invoice();
    const [only] = await extractPdfLayouts(bytes, { pages: [2] });
    expect(only!.page).toBe(2);
    const missing = await stepError(extractPdfLayouts(bytes, { pages: [3] }));
    expect(missing.error).toBe("Sluice.NoSuchPage");
  });

  it("gives an image-only page an empty layout with confidence 0", async () => {
    const [l] = await extractPdfLayouts(await imagePdf());
    expect(l).toMatchObject({ text: "", words: [], confidence: 0, source: "pdf-text" });
  });

  it("maps the text of a rotated page (/Rotate 90, content drawn turned to read level) into the shown frame", async () => {
    // A landscape page stored portrait: the text runs up the stored page, level on the shown one.
    const bytes = await textPdf([[{ text: "Rotated words", x: 100, y: 50, angle: 90 }]], { rotate: 90 });
    const [l] = await extractPdfLayouts(bytes);
    expect([l!.width, l!.height]).toEqual([792, 612]);
    expect(l!.text).toBe("Rotated words");
    const [a, b] = l!.words;
    expect(a!.x1).toBeLessThan(b!.x0);
    expect(a!.x1 - a!.x0).toBeGreaterThan(a!.y1 - a!.y0);
  });

  it("stops when the signal aborts", async () => {
    const ac = new AbortController();
    ac.abort(new Error("deadline"));
    await expect(extractPdfLayouts(await invoice(), { signal: ac.signal })).rejects.toThrow("deadline");
  });
});

describe("renderPdfPage", () => {
  it("draws non-embedded Helvetica text offline (standard-font data from pdfjs-dist)", async () => {
    const fetched = vi.spyOn(LocalBinaryDataFactory.prototype, "fetch");
    const bytes = await textPdf([[{ text: "HELLO WORLD", x: 20, y: 60, size: 20 }]], {
      width: 200,
      height: 100,
    });
    const page = await renderPdfPage(bytes, 1, { scale: 2 });
    expect(page).toMatchObject({ width: 400, height: 200, scale: 2 });
    expect(pngSize(page.png)).toEqual({ width: 400, height: 200 });
    // The text line (baseline 60 pt from the bottom → y 80 px from the top at scale 2) has ink ...
    expect(await darkPixels(page.png, { left: 30, top: 40, width: 300, height: 45 })).toBeGreaterThan(500);
    // ... and the rest of the page is blank.
    expect(await darkPixels(page.png, { left: 0, top: 100, width: 400, height: 100 })).toBe(0);
    // The glyphs came from the font data shipped in pdfjs-dist, not from the host's fonts.
    expect(fetched).toHaveBeenCalledWith({
      kind: "standardFontDataUrl",
      filename: expect.stringMatching(/\.(pfb|ttf)$/),
    });
    fetched.mockRestore();
  });

  it("serves pdf.js only plain file names from its data folders", async () => {
    const factory = new LocalBinaryDataFactory();
    await expect(factory.fetch({ kind: "cMapUrl", filename: "../../package.json" })).rejects.toThrow(
      /unsafe/,
    );
    await expect(factory.fetch({ kind: "iccUrl", filename: "x" })).rejects.toThrow(/unknown/);
    expect(
      (await factory.fetch({ kind: "standardFontDataUrl", filename: "LiberationSans-Regular.ttf" }))
        .byteLength,
    ).toBeGreaterThan(1000);
  });

  it("renders an image-only page", async () => {
    const page = await renderPdfPage(await imagePdf(), 1, { scale: 1 });
    expect([page.width, page.height]).toEqual([300, 400]);
    expect(await darkPixels(page.png)).toBeGreaterThan(300 * 0.8 * 400 * 0.1 * 0.9);
  });

  it("scales a page down to the pixel limit instead of allocating it", async () => {
    const page = await renderPdfPage(await textPdf([[]], { width: 14_400, height: 14_400 }), 1, {
      scale: 2,
      maxPixels: 1_000_000,
    });
    expect(page.width * page.height).toBeLessThanOrEqual(1_000_000);
    expect(page.scale).toBeLessThan(0.1);
    expect(fitScale(100, 100, 2, 1_000_000)).toBe(2);
  });

  it("names a bad page and a locked document", async () => {
    expect((await stepError(renderPdfPage(await imagePdf(), 2))).error).toBe("Sluice.NoSuchPage");
    expect((await stepError(renderPdfPage(await encryptedPdf(), 1))).error).toBe("Sluice.EncryptedDocument");
    expect((await stepError(renderPdfPage(new Uint8Array(), 1))).error).toBe("Sluice.CorruptDocument");
  });
});
