import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { OcrInputError } from "../../../../workers/ai/ocr/errors.ts";
import {
  looksLikeNoise,
  MAX_INPUT_PIXELS,
  MAX_OCR_PIXELS,
  prepareImage,
  targetScale,
} from "../../../../workers/ai/ocr/prepare.ts";

/** A valid PNG header claiming `width` × `height` pixels (the pixel data is a 1×1 image's: never decoded). */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: "#fff" } })
    .png()
    .toBuffer();
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe("prepareImage", () => {
  it("gives a grayscale PNG, scaled up (at most ×3) when small, with the source size kept", async () => {
    const jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#c08040" } })
      .jpeg()
      .toBuffer();
    const p = await prepareImage(jpeg);
    expect(p).toMatchObject({ width: 300, height: 200, ocrWidth: 900, ocrHeight: 600 });
    const meta = await sharp(p.png).metadata();
    expect(meta).toMatchObject({ format: "png", width: 900, height: 600, channels: 1 });
  });

  it("applies EXIF orientation to the reported size", async () => {
    const jpeg = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: "#fff" } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect(await prepareImage(jpeg)).toMatchObject({
      width: 1000,
      height: 1200,
      ocrWidth: 1000,
      ocrHeight: 1200,
    });
  });

  it("scales huge images down to the OCR pixel budget and refuses decompression bombs before decoding", () => {
    expect(targetScale(6000, 4000)).toBeCloseTo(Math.sqrt(MAX_OCR_PIXELS / 24_000_000));
    expect(targetScale(2480, 3508)).toBe(1);
    expect(targetScale(800, 600)).toBe(2.06);
    expect(targetScale(1200, 900)).toBe(1);
  });

  it("an image over the input pixel limit is a too-large input error", async () => {
    const side = Math.ceil(Math.sqrt(MAX_INPUT_PIXELS)) + 1;
    const err = await prepareImage(await pngClaiming(side, side)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OcrInputError);
    expect(err).toMatchObject({ code: "too-large" });
  });

  it("a truncated image and an empty file are corrupt input errors, other bytes unsupported", async () => {
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const unsupported = await prepareImage(Buffer.from("%PDF-1.7 not an image")).catch((e: unknown) => e);
    expect(unsupported).toMatchObject({ name: "OcrInputError", code: "unsupported" });
    for (const bytes of [png.subarray(0, png.length / 2), new Uint8Array()]) {
      const err = await prepareImage(bytes).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OcrInputError);
      expect(err).toMatchObject({ code: "corrupt" });
    }
  });

  it("flags pixel noise, not a plain page or a smooth picture", async () => {
    const noise = await sharp(randomBytes(1200 * 900), { raw: { width: 1200, height: 900, channels: 1 } })
      .png()
      .toBuffer();
    expect((await prepareImage(noise)).noise).toBe(true);
    const plain = await sharp({ create: { width: 1200, height: 900, channels: 3, background: "#eee" } })
      .png()
      .toBuffer();
    expect((await prepareImage(plain)).noise).toBe(false);
    expect(looksLikeNoise({ entropy: 7.6, sharpness: 25 })).toBe(true);
    expect(looksLikeNoise({ entropy: 6.7, sharpness: 0.1 })).toBe(false);
    expect(looksLikeNoise({ entropy: 4.5, sharpness: 4 })).toBe(false);
  });
});
