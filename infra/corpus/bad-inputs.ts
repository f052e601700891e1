/**
 * Files a document pipeline must survive (issue 11, "Prove it"): each ends in a clear job state,
 * never a crashed worker. Deterministic; made in memory (tests) or written to a folder
 * (`npm run corpus -- bad-inputs --out DIR`). test/unit/corpus/bad-inputs.test.ts checks that each
 * file has the property `claim` states.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { composeDocument } from "./compose.ts";
import { LETTER, PageBuilder } from "./page-model.ts";
import { encryptedPdf } from "./pdf-encrypt.ts";
import { Rng, type Seed } from "./prng.ts";
import { renderTextPdf } from "./render-pdf.ts";
import { storedZip } from "./zip.ts";

export const BAD_INPUT_NAMES = [
  "corrupt-pdf",
  "empty-file",
  "no-text-image",
  "fifty-page-pdf",
  "huge-image",
  "zip-named-pdf",
  "encrypted-pdf",
] as const;
export type BadInputName = (typeof BAD_INPUT_NAMES)[number];

export interface BadInput {
  name: BadInputName;
  /** File name to upload it as (the extension is part of the trap for zip-named-pdf). */
  file: string;
  /** The content type a careless client would send for it. */
  mime: string;
  bytes: Uint8Array;
  /** What is true of the file (checked by the unit test). */
  claim: string;
}

export interface BadInputOptions {
  seed?: Seed;
  /** Pages of the long PDF (default 50; 51 is over a 50-page cap). */
  pages?: number;
  /** Size of the huge image in bytes (default 30 MB). */
  hugeImageBytes?: number;
  /** Password of the encrypted PDF (default "sluice"). */
  password?: string;
}

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * Starts like a PDF (so a magic-byte check says PDF) but has no objects, no xref and no trailer,
 * only seeded garbage: pdf.js rejects it with InvalidPDFException.
 */
export function corruptPdf(seed: Seed = "corrupt"): Uint8Array {
  const garbage = Rng.of(seed)
    .bytes(4096)
    .map((b) => (b === 0x25 ? 0x20 : b)); // no "%" (no fake %%EOF)
  const out = new Uint8Array(9 + garbage.length + 6);
  out.set(enc("%PDF-1.7\n"));
  out.set(garbage, 9);
  out.set(enc("\n%%EOF"), 9 + garbage.length);
  return out;
}

export function emptyFile(): Uint8Array {
  return new Uint8Array(0);
}

/** A PNG of a soft colour gradient with Gaussian blobs: a picture with no edge, nothing to read. */
export async function noTextImage(seed: Seed = "no-text"): Promise<Uint8Array> {
  const rng = Rng.of(seed);
  const width = 1200;
  const height = 900;
  const px = new Uint8Array(width * height * 3);
  const blobs = Array.from({ length: 5 }, () => ({
    x: rng.float(0, width),
    y: rng.float(0, height),
    r: rng.float(120, 320),
    c: [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)] as const,
  }));
  const top = [rng.int(120, 200), rng.int(160, 220), rng.int(200, 255)];
  const bottom = [rng.int(40, 120), rng.int(90, 160), rng.int(40, 100)];
  for (let y = 0; y < height; y++) {
    const t = y / height;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        let v = top[ch]! * (1 - t) + bottom[ch]! * t;
        for (const b of blobs) {
          const w = Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (b.r * b.r));
          v = v * (1 - w) + b.c[ch]! * w;
        }
        px[i + ch] = v;
      }
    }
  }
  return new Uint8Array(
    await sharp(px, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** A text PDF of `pages` pages (default 50), each a page of a long contract-like document. */
export async function manyPagesPdf(pages = 50, seed: Seed = "many-pages"): Promise<Uint8Array> {
  const sources = Array.from(
    { length: Math.min(5, pages) },
    (_, i) => composeDocument(`${String(seed)}:${i}`, { type: "letter" }).pages[0]!,
  );
  const specs = [];
  for (let i = 0; i < pages; i++) {
    const page = new PageBuilder(LETTER.width, LETTER.height);
    const source = sources[i % sources.length]!;
    page.items.push(...source.items);
    page.text(`Page ${i + 1} of ${pages}`, LETTER.width / 2, LETTER.height - 30, {
      size: 9,
      align: "center",
    });
    specs.push(page.spec());
  }
  return renderTextPdf(specs, { title: `${pages}-page document` });
}

/**
 * An incompressible PNG (seeded noise, stored without compression) of about `bytes` bytes
 * (default 30 MB; 4000 pixels wide, about 10 megapixels at the default size).
 */
export async function hugeImage(bytes = 30_000_000, seed: Seed = "huge"): Promise<Uint8Array> {
  const width = 4000;
  const height = Math.max(1, Math.ceil(bytes / (width * 3 + 1)));
  const raw = Rng.of(seed).bytes(width * height * 3);
  const png = await sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0, adaptiveFiltering: false })
    .toBuffer();
  return new Uint8Array(png);
}

/**
 * A valid ZIP archive of two text files, meant to be uploaded as `.pdf`. (It holds no PDF on
 * purpose: pdf.js scans for "%PDF-" anywhere and opens a PDF stored uncompressed inside a zip, so
 * only a magic-byte check catches that variant.)
 */
export function zipNamedPdf(): Uint8Array {
  return storedZip([
    { name: "readme.txt", data: enc("This archive is not a PDF, whatever its name says.\n") },
    { name: "totals.csv", data: enc("invoice,total\nINV-1,120.00\nINV-2,75.50\n") },
  ]);
}

export { encryptedPdf };

/** One bad input by name. */
export async function makeBadInput(name: BadInputName, opts: BadInputOptions = {}): Promise<BadInput> {
  const seed = opts.seed ?? "bad-inputs";
  switch (name) {
    case "corrupt-pdf":
      return {
        name,
        file: "corrupt.pdf",
        mime: "application/pdf",
        bytes: corruptPdf(`${seed}:corrupt`),
        claim: "starts with %PDF- but has no objects: pdf.js throws InvalidPDFException",
      };
    case "empty-file":
      return {
        name,
        file: "empty.pdf",
        mime: "application/pdf",
        bytes: emptyFile(),
        claim: "zero bytes: pdf.js throws InvalidPDFException",
      };
    case "no-text-image":
      return {
        name,
        file: "picture.png",
        mime: "image/png",
        bytes: await noTextImage(`${seed}:picture`),
        claim: "a valid 1200x900 PNG of gradients with no text: OCR finds no confident word",
      };
    case "fifty-page-pdf": {
      const pages = opts.pages ?? 50;
      return {
        name,
        file: `${pages}-pages.pdf`,
        mime: "application/pdf",
        bytes: await manyPagesPdf(pages, `${seed}:pages`),
        claim: `a valid text PDF of ${pages} pages`,
      };
    }
    case "huge-image":
      return {
        name,
        file: "huge.png",
        mime: "image/png",
        bytes: await hugeImage(opts.hugeImageBytes, `${seed}:huge`),
        claim: "a valid PNG of about 30 MB (incompressible noise, 4000 px wide)",
      };
    case "zip-named-pdf":
      return {
        name,
        file: "archive.pdf",
        mime: "application/pdf",
        bytes: zipNamedPdf(),
        claim: "a ZIP archive (PK\\x03\\x04) named .pdf: pdf.js throws InvalidPDFException",
      };
    case "encrypted-pdf":
      return {
        name,
        file: "protected.pdf",
        mime: "application/pdf",
        bytes: encryptedPdf({ userPassword: opts.password ?? "sluice" }),
        claim: "a PDF encrypted with a user password (RC4 128-bit): pdf.js throws PasswordException",
      };
  }
}

/** All of them (about 35 MB in memory with the default huge image). */
export async function makeBadInputs(opts: BadInputOptions = {}): Promise<BadInput[]> {
  const out: BadInput[] = [];
  for (const name of BAD_INPUT_NAMES) out.push(await makeBadInput(name, opts));
  return out;
}

/** Writes each bad input under its file name into outDir, plus bad-inputs.json (name, file, claim). */
export async function writeBadInputs(
  outDir: string,
  opts: BadInputOptions = {},
): Promise<Omit<BadInput, "bytes">[]> {
  await mkdir(outDir, { recursive: true });
  const listed: Omit<BadInput, "bytes">[] = [];
  for (const name of BAD_INPUT_NAMES) {
    const { bytes, ...rest } = await makeBadInput(name, opts);
    await writeFile(join(outDir, rest.file), bytes);
    listed.push({ ...rest });
  }
  await writeFile(join(outDir, "bad-inputs.json"), `${JSON.stringify(listed, null, 2)}\n`);
  return listed;
}
