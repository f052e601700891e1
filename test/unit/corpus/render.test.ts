import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GlobalFonts } from "@napi-rs/canvas";
import { PDFDocument, StandardFonts } from "pdf-lib";
import sharp from "sharp";
import { extractText, getDocumentProxy } from "unpdf";
import { afterAll, describe, expect, it } from "vitest";
import { scanParams } from "../../../infra/corpus/degrade.ts";
import { CORPUS_FONT_FAMILY, ensureCorpusFonts, textWidth } from "../../../infra/corpus/fonts.ts";
import {
  composeDocument,
  corpusDocuments,
  corpusPlan,
  DOC_KINDS,
  DOC_TYPES,
  generateCorpus,
  generateDocument,
  renderPageImage,
  Rng,
  TruthSchema,
} from "../../../infra/corpus/index.ts";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const flat = (s: string) => s.replace(/\s+/g, " ");

async function pdfText(bytes: Uint8Array): Promise<{ pages: number; text: string[] }> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { totalPages, text } = await extractText(pdf, { mergePages: false });
  return { pages: totalPages, text };
}

describe("generateDocument", { timeout: 60_000 }, () => {
  it("gives the same bytes and truth for the same seed, for every kind", async () => {
    for (const kind of DOC_KINDS) {
      const a = await generateDocument("det-1", { kind, type: "invoice", scale: 1 });
      const b = await generateDocument("det-1", { kind, type: "invoice", scale: 1 });
      expect(sha(b.bytes), kind).toBe(sha(a.bytes));
      expect(b.truth).toEqual(a.truth);
      const c = await generateDocument("det-2", { kind, type: "invoice", scale: 1 });
      expect(sha(c.bytes), kind).not.toBe(sha(a.bytes));
    }
  });

  it("renders every type as a text PDF whose text layer holds the truth text and fields", async () => {
    for (const type of DOC_TYPES) {
      const doc = await generateDocument(`tp-${type}`, { kind: "text-pdf", type });
      expect(doc.ext).toBe("pdf");
      expect(TruthSchema.parse(doc.truth)).toEqual(doc.truth);
      const { pages, text } = await pdfText(doc.bytes);
      expect(pages).toBe(doc.truth.pages);
      const all = flat(text.join(" "));
      for (const line of doc.truth.text.join("\n").split("\n")) {
        for (const word of line.split(" ")) expect(all, type).toContain(word);
      }
      for (const shown of Object.values(doc.truth.shown).flat()) expect(all, type).toContain(flat(shown));
    }
  });

  it("renders image-only PDFs with the truth's page count and no text layer", async () => {
    for (const type of DOC_TYPES) {
      const doc = await generateDocument(`ip-${type}`, { kind: "image-pdf", type, scale: 1 });
      expect(doc.ext).toBe("pdf");
      const { pages, text } = await pdfText(doc.bytes);
      expect(pages).toBe(doc.truth.pages);
      expect(text.join("").trim()).toBe("");
    }
  });

  it("renders scans as single-page JPEG or PNG images, degraded more at harsh strength", async () => {
    const formats = new Set<string>();
    for (const type of DOC_TYPES) {
      for (const strength of ["mild", "harsh"] as const) {
        const doc = await generateDocument(`sc-${type}-${strength}`, {
          kind: "scan",
          type,
          strength,
          scale: 1,
        });
        expect(doc.truth.pages).toBe(1);
        expect(doc.truth.strength).toBe(strength);
        const meta = await sharp(doc.bytes).metadata();
        expect(meta.format).toBe(doc.ext === "jpg" ? "jpeg" : "png");
        formats.add(doc.ext);
      }
    }
    // harsh is stronger than mild on every axis, whatever the seed
    for (let i = 0; i < 20; i++) {
      const mild = scanParams(Rng.of(i), "mild");
      const harsh = scanParams(Rng.of(i), "harsh");
      expect(Math.abs(harsh.angle)).toBeGreaterThan(Math.abs(mild.angle));
      expect(harsh.blur).toBeGreaterThan(mild.blur);
      expect(harsh.noise).toBeGreaterThan(mild.noise);
      expect(harsh.quality).toBeLessThan(mild.quality);
      expect(harsh.fade).toBeGreaterThan(mild.fade);
    }
    expect(formats.has("jpg")).toBe(true);
  });

  // Arimo's advances are within 2% of Helvetica's; a fallback system font (DejaVu Sans) is 12% wider
  it("measures text with the registered font as Helvetica in the PDF (no fallback font)", async () => {
    const doc = await PDFDocument.create();
    const helvetica = await doc.embedFont(StandardFonts.Helvetica);
    const bold = await doc.embedFont(StandardFonts.HelveticaBold);
    for (const text of [
      "Invoice No. INV-2024-00123",
      "Total Due (EUR) 12,345.67",
      "Yours sincerely, Mary Clark",
    ]) {
      const want = helvetica.widthOfTextAtSize(text, 10);
      expect(Math.abs(textWidth(text, 10) - want) / want).toBeLessThan(0.03);
      const wantBold = bold.widthOfTextAtSize(text, 10);
      expect(Math.abs(textWidth(text, 10, "bold") - wantBold) / wantBold).toBeLessThan(0.03);
    }
  });

  it("draws text with the font it registers from the npm package (no system font needed)", () => {
    ensureCorpusFonts();
    expect(GlobalFonts.families.map((f) => f.family)).toContain(CORPUS_FONT_FAMILY);
    const page = composeDocument("font", { type: "letter" }).pages[0]!;
    const blank = renderPageImage({ ...page, items: page.items.filter((i) => i.kind !== "text") }, 1);
    const full = renderPageImage(page, 1);
    expect(sha(full.png)).not.toBe(sha(blank.png));
  });
});

describe("generateCorpus", { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("plans every type, kind and strength evenly", () => {
    const plan = corpusPlan(30);
    for (const type of DOC_TYPES) expect(plan.filter((p) => p.type === type)).toHaveLength(6);
    for (const kind of DOC_KINDS) expect(plan.filter((p) => p.kind === kind)).toHaveLength(10);
    expect(plan.filter((p) => p.strength === "mild")).toHaveLength(5);
    expect(plan.filter((p) => p.strength === "harsh")).toHaveLength(5);
  });

  it("writes documents, truth files and a manifest that match, the same for the same seed", async () => {
    const run = async () => {
      const dir = await mkdtemp(join(tmpdir(), "corpus-"));
      dirs.push(dir);
      const progress: number[] = [];
      const manifest = await generateCorpus({
        n: 4,
        seed: 7,
        outDir: dir,
        kinds: ["text-pdf", "scan"],
        strengths: ["mild"],
        types: ["receipt", "letter"],
        scale: 1,
        onProgress: (done) => progress.push(done),
      });
      return { dir, manifest, progress };
    };
    const a = await run();
    expect(a.progress).toEqual([1, 2, 3, 4]);
    expect((await readdir(a.dir)).sort()).toEqual(
      [...a.manifest.documents.flatMap((d) => [d.file, d.truth]), "manifest.json"].sort(),
    );
    expect(a.manifest.documents.map((d) => [d.type, d.kind, d.strength])).toEqual([
      ["receipt", "text-pdf", undefined],
      ["letter", "text-pdf", undefined],
      ["receipt", "scan", "mild"],
      ["letter", "scan", "mild"],
    ]);
    for (const d of a.manifest.documents) {
      const truth = TruthSchema.parse(JSON.parse(await readFile(join(a.dir, d.truth), "utf8")));
      expect(truth.id).toBe(d.id);
      expect(sha(await readFile(join(a.dir, d.file)))).toBe(d.sha256);
    }
    const b = await run();
    expect(b.manifest).toEqual(a.manifest);
    // the in-memory stream gives the same documents
    const inMemory = [];
    for await (const doc of corpusDocuments({
      n: 4,
      seed: 7,
      kinds: ["text-pdf", "scan"],
      strengths: ["mild"],
      types: ["receipt", "letter"],
      scale: 1,
    }))
      inMemory.push([doc.id, sha(doc.bytes)]);
    expect(inMemory).toEqual(a.manifest.documents.map((d) => [d.id, d.sha256]));
  });
});
