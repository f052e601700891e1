import sharp from "sharp";
import { renderPdfPage } from "../pdf/render-page.ts";
import { abortable } from "../abortable.ts";
import { sniffFormat } from "../sniff.ts";
import { DEFAULT_IMAGE_TIMEOUT_SECONDS, DEFAULT_MAX_IMAGE_PIXELS, sharpError } from "./image-limits.ts";
import { probeImage } from "./probe-image.ts";

export type ThumbnailFormat = "png" | "webp";

export interface ThumbnailOptions {
  /** Longest side of the thumbnail in pixels (default 256); smaller inputs are not enlarged. */
  maxSide?: number;
  /** Output format (default png). */
  format?: ThumbnailFormat;
  /** Largest input image in pixels (default 150 MP): over it `Sluice.ImageTooLarge`, nothing decoded. */
  maxPixels?: number;
  /** Longest time the image pipeline may run, in seconds (default 30). */
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface Thumbnail {
  data: Uint8Array;
  format: ThumbnailFormat;
  mime: "image/png" | "image/webp";
  width: number;
  height: number;
}

export const DEFAULT_THUMBNAIL_SIDE = 256;

/**
 * A small preview of a document: of an image (PNG, JPEG, WebP; EXIF orientation applied), or of a
 * PDF's first page (rendered at twice the size, then scaled down for smooth edges). Bounded: the
 * input's pixel count is checked from its header before decoding, sharp enforces it again while
 * decoding, and the pipeline has a timeout. Errors: `Sluice.UnsupportedDocument`,
 * `Sluice.CorruptDocument`, `Sluice.EncryptedDocument`, `Sluice.ImageTooLarge` (StepError).
 */
export async function makeThumbnail(bytes: Uint8Array, options: ThumbnailOptions = {}): Promise<Thumbnail> {
  const maxSide = options.maxSide ?? DEFAULT_THUMBNAIL_SIDE;
  const format = options.format ?? "png";
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  let source: Uint8Array;
  if (sniffFormat(bytes).format === "pdf") {
    source = (await renderPdfPage(bytes, 1, { fitSide: maxSide * 2, signal: options.signal })).png;
  } else {
    await probeImage(bytes, { maxPixels });
    source = bytes;
  }
  options.signal?.throwIfAborted();
  const pipeline = sharp(source, { limitInputPixels: maxPixels, failOn: "error" })
    .rotate()
    .resize(maxSide, maxSide, { fit: "inside", withoutEnlargement: true })
    .timeout({ seconds: options.timeoutSeconds ?? DEFAULT_IMAGE_TIMEOUT_SECONDS });
  const encoded = format === "webp" ? pipeline.webp({ quality: 80 }) : pipeline.png({ compressionLevel: 9 });
  try {
    const { data, info } = await abortable(
      encoded.toBuffer({ resolveWithObject: true }),
      options.signal,
      () => {},
    );
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      format,
      mime: format === "webp" ? "image/webp" : "image/png",
      width: info.width,
      height: info.height,
    };
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw sharpError(err, maxPixels);
  }
}
