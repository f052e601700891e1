import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { detectDocument } from "../../../workers/ai/detect-document.ts";
import { makeThumbnail } from "../../../workers/ai/image/make-thumbnail.ts";
import { probeImage } from "../../../workers/ai/image/probe-image.ts";
import { sniffFormat } from "../../../workers/ai/sniff.ts";
import { StepError } from "../../../workers/steps/registry.ts";
import {
  corruptPdf,
  encryptedPdf,
  jpegImage,
  liarPng,
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

describe("sniffFormat", () => {
  it("goes by the magic bytes, not by what a file claims to be", async () => {
    expect(sniffFormat(await pngImage(4, 4))).toMatchObject({ format: "png" });
    expect(sniffFormat(await jpegImage(4, 4))).toMatchObject({ format: "jpeg" });
    expect(
      sniffFormat(
        new Uint8Array(
          await sharp(await pngImage(4, 4))
            .webp()
            .toBuffer(),
        ),
      ),
    ).toMatchObject({ format: "webp" });
    expect(sniffFormat(await textPdf([[]]))).toMatchObject({ format: "pdf", mime: "application/pdf" });
    // A header after a little junk is still a PDF (pdf.js reads it) ...
    const junk = new Uint8Array([...new TextEncoder().encode("junk\n"), ...(await textPdf([[]]))]);
    expect(sniffFormat(junk)).toMatchObject({ format: "pdf" });
    // ... but a ZIP that stores a PDF right after its header is a ZIP.
    expect(sniffFormat(zipFile("a.pdf", "%PDF-1.7 ..."))).toEqual({
      format: "other",
      what: expect.stringMatching(/ZIP/),
    });
    expect(sniffFormat(new Uint8Array())).toEqual({ format: "empty" });
    expect(sniffFormat(new TextEncoder().encode("GIF89a...."))).toEqual({
      format: "other",
      what: "a GIF image",
    });
  });
});

describe("probeImage", () => {
  it("reads type and size from the header", async () => {
    expect(await probeImage(await pngImage(64, 48))).toEqual({ mime: "image/png", width: 64, height: 48 });
  });

  it("refuses an image over the pixel limit before decoding it, even one whose header is a lie", async () => {
    const over = await stepError(probeImage(await pngImage(100, 100), { maxPixels: 9_999 }));
    expect(over.error).toBe("Sluice.ImageTooLarge");
    expect(over.causeText).toMatch(/100×100 = 10000 pixels, over the limit of 9999/);
    // 100k × 100k claimed (10 G pixels): refused by default from the header alone.
    const bomb = await stepError(detectDocument(await liarPng(100_000, 100_000)));
    expect(bomb.error).toBe("Sluice.ImageTooLarge");
  });

  it("calls a broken image corrupt and a non-image unsupported", async () => {
    const png = await pngImage(32, 32);
    expect((await stepError(probeImage(png.slice(0, 12)))).error).toBe("Sluice.CorruptDocument");
    expect((await stepError(probeImage(zipFile()))).error).toBe("Sluice.UnsupportedDocument");
    expect((await stepError(probeImage(await textPdf([[]])))).causeText).toMatch(/got a PDF/);
  });
});

describe("makeThumbnail", () => {
  it("scales an image down to fit the longest side, never up", async () => {
    const t = await makeThumbnail(await jpegImage(800, 600), { maxSide: 200 });
    expect(t).toMatchObject({ format: "png", mime: "image/png", width: 200, height: 150 });
    expect(await sharp(t.data).metadata()).toMatchObject({ format: "png", width: 200, height: 150 });
    const small = await makeThumbnail(await pngImage(50, 40), { maxSide: 200, format: "webp" });
    expect(small).toMatchObject({ format: "webp", width: 50, height: 40 });
    expect((await sharp(small.data).metadata()).format).toBe("webp");
  });

  it("renders the first page of a PDF", async () => {
    const pdf = await textPdf([
      [{ text: "Cover page", x: 50, y: 700, size: 30 }],
      [{ text: "two", x: 50, y: 700 }],
    ]);
    const t = await makeThumbnail(pdf, { maxSide: 128 });
    expect(t.height).toBe(128);
    expect(t.width).toBe(Math.round((612 / 792) * 128));
    const { data } = await sharp(t.data).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(Math.min(...data)).toBeLessThan(160);
  });

  it("fails each bad input with its error: over the pixel limit, truncated, corrupt PDF, locked PDF, zip", async () => {
    expect((await stepError(makeThumbnail(await pngImage(300, 300), { maxPixels: 50_000 }))).error).toBe(
      "Sluice.ImageTooLarge",
    );
    const jpeg = await jpegImage(400, 300);
    expect((await stepError(makeThumbnail(jpeg.slice(0, jpeg.length / 2)))).error).toBe(
      "Sluice.CorruptDocument",
    );
    expect((await stepError(makeThumbnail(corruptPdf()))).error).toBe("Sluice.CorruptDocument");
    expect((await stepError(makeThumbnail(await encryptedPdf()))).error).toBe("Sluice.EncryptedDocument");
    expect((await stepError(makeThumbnail(zipFile()))).error).toBe("Sluice.UnsupportedDocument");
  });
});
