/**
 * Makes a clean page image look scanned (sharp + seeded noise): paper tint, sensor noise, dust
 * specks, a slight skew, blur and JPEG artefacts. `mild` stays comfortably readable by OCR; `harsh`
 * is meant to hurt (stronger skew, blur, noise, low JPEG quality, faded ink).
 */
import sharp from "sharp";
import type { Rng } from "./prng.ts";
import type { RawImage } from "./render-image.ts";
import type { Strength } from "./types.ts";

export interface ScanParams {
  angle: number;
  blur: number;
  noise: number;
  speckle: number;
  quality: number;
  fade: number;
  paper: number;
}

export function scanParams(rng: Rng, strength: Strength): ScanParams {
  const sign = rng.chance(0.5) ? 1 : -1;
  if (strength === "mild")
    return {
      angle: sign * rng.float(0.2, 1.2),
      blur: rng.float(0.3, 0.6),
      noise: rng.float(4, 10),
      speckle: rng.float(0.00005, 0.0003),
      quality: rng.int(70, 88),
      fade: rng.float(0, 0.1),
      paper: rng.int(238, 250),
    };
  return {
    angle: sign * rng.float(1.8, 3.5),
    blur: rng.float(0.8, 1.2),
    noise: rng.float(16, 28),
    speckle: rng.float(0.0008, 0.002),
    quality: rng.int(28, 45),
    fade: rng.float(0.15, 0.3),
    paper: rng.int(220, 236),
  };
}

/** Returns the degraded image as JPEG, or as PNG when `format` is "png" (after a JPEG round trip). */
export async function degradeScan(
  page: RawImage,
  rng: Rng,
  strength: Strength,
  format: "jpg" | "png",
): Promise<{ bytes: Uint8Array; width: number; height: number; params: ScanParams }> {
  const p = scanParams(rng, strength);
  const info = { width: page.width, height: page.height };
  // grey from the red channel: pages are drawn in greys only
  const px = new Uint8Array(info.width * info.height);
  for (let i = 0, j = 0; i < px.length; i++, j += 4) px[i] = page.rgba[j]!;
  const noise = rng.fork("noise");
  const ink = 255 * p.fade;
  for (let i = 0; i < px.length; i++) {
    // map white to the paper tone and black to faded ink, then add noise
    const v = px[i]! / 255;
    let out = ink + v * (p.paper - ink);
    // one 32-bit draw per pixel: three bytes summed give bell-shaped noise, the fourth gates specks
    const r = noise.nextUint32();
    out += (((r & 255) + ((r >>> 8) & 255) + ((r >>> 16) & 255) - 382.5) / 255) * p.noise;
    if (r >>> 24 === 0 && noise.next() < p.speckle * 256) out = noise.int(20, 90);
    px[i] = out < 0 ? 0 : out > 255 ? 255 : out;
  }
  const bg = { r: p.paper, g: p.paper, b: p.paper, alpha: 1 };
  const rotated = await sharp(px, { raw: { width: info.width, height: info.height, channels: 1 } })
    .rotate(p.angle, { background: bg })
    .blur(p.blur)
    .jpeg({ quality: p.quality })
    .toBuffer({ resolveWithObject: true });
  const { width, height } = rotated.info;
  if (format === "jpg") return { bytes: new Uint8Array(rotated.data), width, height, params: p };
  const out = await sharp(rotated.data).png().toBuffer();
  return { bytes: new Uint8Array(out), width, height, params: p };
}
