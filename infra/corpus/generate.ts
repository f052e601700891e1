/**
 * The corpus generator: one document from a seed (in memory), or N documents with their truth files
 * and a manifest in a folder. Same seed, same options → same bytes and truth.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { composeDocument } from "./compose.ts";
import { degradeScan } from "./degrade.ts";
import { Rng, type Seed } from "./prng.ts";
import { DEFAULT_SCALE, renderPageRaw } from "./render-image.ts";
import { renderImagePdf, renderTextPdf } from "./render-pdf.ts";
import {
  DOC_KINDS,
  DOC_TYPES,
  STRENGTHS,
  type DocKind,
  type DocType,
  type Strength,
  type Truth,
} from "./types.ts";

export type DocExt = "pdf" | "png" | "jpg";
export const MIME_OF: Record<DocExt, string> = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
};

export interface DocumentOptions {
  type?: DocType;
  kind?: DocKind;
  /** Scans only; picked from the seed when absent. */
  strength?: Strength;
  /** Defaults to "doc-<hash of the seed>". */
  id?: string;
  /** Pixels per PDF point for page images (default 2, i.e. 144 dpi). */
  scale?: number;
}

export interface GeneratedDocument {
  id: string;
  bytes: Uint8Array;
  ext: DocExt;
  mime: string;
  truth: Truth;
}

function defaultId(seed: string): string {
  return `doc-${createHash("sha256").update(seed).digest("hex").slice(0, 10)}`;
}

/** One document, rendered in memory (nothing written to disk). */
export async function generateDocument(seed: Seed, opts: DocumentOptions = {}): Promise<GeneratedDocument> {
  const seedText = String(seed);
  const rng = Rng.of(seedText).fork("render");
  const kind =
    opts.kind ??
    rng.fork("kind").weighted<DocKind>([
      ["text-pdf", 2],
      ["image-pdf", 1],
      ["scan", 2],
    ]);
  const strength = kind === "scan" ? (opts.strength ?? rng.fork("strength").pick(STRENGTHS)) : undefined;
  const composed = composeDocument(seedText, {
    ...(opts.type ? { type: opts.type } : {}),
    maxPages: kind === "scan" ? 1 : 3,
  });
  const scale = opts.scale ?? DEFAULT_SCALE;
  const id = opts.id ?? defaultId(seedText);
  let bytes: Uint8Array;
  let ext: DocExt;
  if (kind === "text-pdf") {
    bytes = await renderTextPdf(composed.pages, { title: id });
    ext = "pdf";
  } else if (kind === "image-pdf") {
    // JPEG-compressed page images (as scanners and "print to image" tools write them): embedding
    // a JPEG is a copy, embedding a PNG makes pdf-lib re-encode it (5x slower)
    const images = [];
    for (const page of composed.pages) {
      const raw = renderPageRaw(page, scale);
      const jpg = await sharp(raw.rgba, { raw: { width: raw.width, height: raw.height, channels: 4 } })
        .removeAlpha()
        .jpeg({ quality: 90 })
        .toBuffer();
      images.push({
        bytes: new Uint8Array(jpg),
        format: "jpg" as const,
        width: page.width,
        height: page.height,
      });
    }
    bytes = await renderImagePdf(images, { title: id });
    ext = "pdf";
  } else {
    const image = renderPageRaw(composed.pages[0]!, scale);
    ext = rng.fork("format").chance(0.25) ? "png" : "jpg";
    bytes = (await degradeScan(image, rng.fork("scan"), strength!, ext)).bytes;
  }
  const truth: Truth = {
    id,
    type: composed.type,
    kind,
    ...(strength ? { strength } : {}),
    file: `${id}.${ext}`,
    mime: MIME_OF[ext],
    template: composed.template,
    pages: composed.pages.length,
    text: composed.text,
    fields: composed.fields,
    shown: composed.shown,
    ...(composed.lineItems ? { line_items: composed.lineItems } : {}),
    seed: seedText,
  };
  return { id, bytes, ext, mime: MIME_OF[ext], truth };
}

/** What a corpus holds: N documents from a seed, types x kinds x strengths cycled evenly. */
export interface CorpusSpec {
  n: number;
  seed: Seed;
  kinds?: readonly DocKind[];
  strengths?: readonly Strength[];
  types?: readonly DocType[];
  scale?: number;
}

export interface CorpusOptions extends CorpusSpec {
  outDir: string;
  onProgress?: (done: number, total: number, doc: GeneratedDocument) => void;
}

export interface ManifestEntry {
  id: string;
  file: string;
  truth: string;
  type: DocType;
  kind: DocKind;
  strength?: Strength;
  pages: number;
  bytes: number;
  sha256: string;
}

export interface CorpusManifest {
  version: 1;
  seed: string;
  n: number;
  kinds: DocKind[];
  strengths: Strength[];
  types: DocType[];
  documents: ManifestEntry[];
}

/**
 * The plan of a corpus: which type, kind and strength document i gets. Types cycle fastest, then
 * kinds, then strengths (among scans), so every combination is represented evenly.
 */
export function corpusPlan(
  n: number,
  types: readonly DocType[] = DOC_TYPES,
  kinds: readonly DocKind[] = DOC_KINDS,
  strengths: readonly Strength[] = STRENGTHS,
): { type: DocType; kind: DocKind; strength?: Strength }[] {
  const out: { type: DocType; kind: DocKind; strength?: Strength }[] = [];
  let scans = 0;
  for (let i = 0; i < n; i++) {
    const type = types[i % types.length]!;
    const kind = kinds[Math.floor(i / types.length) % kinds.length]!;
    if (kind === "scan")
      out.push({ type, kind, strength: strengths[Math.floor(scans++ / types.length) % strengths.length]! });
    else out.push({ type, kind });
  }
  return out;
}

/**
 * The documents of a corpus, one at a time, in memory (ids doc-00001...): what generateCorpus
 * writes, for callers that upload them instead (demo, benchmarks) or keep a few in a test.
 */
export async function* corpusDocuments(spec: CorpusSpec): AsyncGenerator<GeneratedDocument> {
  const seed = String(spec.seed);
  const plan = corpusPlan(
    spec.n,
    spec.types ?? DOC_TYPES,
    spec.kinds ?? DOC_KINDS,
    spec.strengths ?? STRENGTHS,
  );
  for (const [i, item] of plan.entries()) {
    yield generateDocument(`${seed}:${i}`, {
      ...item,
      id: `doc-${String(i + 1).padStart(5, "0")}`,
      ...(spec.scale ? { scale: spec.scale } : {}),
    });
  }
}

/** Writes `<id>.<ext>`, `<id>.truth.json` per document and `manifest.json` into outDir. */
export async function generateCorpus(opts: CorpusOptions): Promise<CorpusManifest> {
  const types = [...(opts.types ?? DOC_TYPES)];
  const kinds = [...(opts.kinds ?? DOC_KINDS)];
  const strengths = [...(opts.strengths ?? STRENGTHS)];
  const seed = String(opts.seed);
  await mkdir(opts.outDir, { recursive: true });
  const documents: ManifestEntry[] = [];
  for await (const doc of corpusDocuments({ ...opts, types, kinds, strengths })) {
    const truthFile = `${doc.id}.truth.json`;
    await writeFile(join(opts.outDir, doc.truth.file), doc.bytes);
    await writeFile(join(opts.outDir, truthFile), `${JSON.stringify(doc.truth, null, 2)}\n`);
    documents.push({
      id: doc.id,
      file: doc.truth.file,
      truth: truthFile,
      type: doc.truth.type,
      kind: doc.truth.kind,
      ...(doc.truth.strength ? { strength: doc.truth.strength } : {}),
      pages: doc.truth.pages,
      bytes: doc.bytes.length,
      sha256: createHash("sha256").update(doc.bytes).digest("hex"),
    });
    opts.onProgress?.(documents.length, opts.n, doc);
  }
  const manifest: CorpusManifest = { version: 1, seed, n: opts.n, kinds, strengths, types, documents };
  await writeFile(join(opts.outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
