import { describe, expect, it } from "vitest";
import { DOC_TYPES, generateDocument } from "../../../infra/corpus/index.ts";
import { detectDocument } from "../../../workers/ai/detect-document.ts";
import { PageLayoutSchema } from "../../../workers/ai/layout.ts";
import { extractPdfLayouts } from "../../../workers/ai/pdf/extract-layouts.ts";

/** Lines with runs of whitespace collapsed: the truth joins a line's runs with one space. */
const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.replace(/\s+/g, " ").trim())
    .filter(Boolean);

describe("the document functions on the generated corpus", () => {
  it.each(DOC_TYPES)("reads a %s text PDF's text exactly as the truth has it, line by line", async (type) => {
    const doc = await generateDocument(`pdf-text-${type}`, { type, kind: "text-pdf" });
    expect(await detectDocument(doc.bytes)).toEqual({
      kind: "text-pdf",
      mime: "application/pdf",
      pages: doc.truth.pages,
    });
    const layouts = await extractPdfLayouts(doc.bytes);
    expect(layouts).toHaveLength(doc.truth.pages);
    for (const [i, layout] of layouts.entries()) {
      PageLayoutSchema.parse(layout);
      expect(lines(layout.text)).toEqual(lines(doc.truth.text[i]!));
    }
  });

  it("calls an image-only PDF image-pdf and a scan an image", async () => {
    const scanned = await generateDocument("pdf-detect-image-pdf", { kind: "image-pdf" });
    expect(await detectDocument(scanned.bytes)).toEqual({
      kind: "image-pdf",
      mime: "application/pdf",
      pages: scanned.truth.pages,
    });
    const scan = await generateDocument("pdf-detect-scan", { kind: "scan" });
    expect(await detectDocument(scan.bytes)).toEqual({ kind: "image", mime: scan.mime, pages: 1 });
  });
});
