import sharp from "sharp";
import { extractText, getDocumentProxy } from "unpdf";
import { describe, expect, it } from "vitest";
import { BAD_INPUT_NAMES, makeBadInput, makeBadInputs } from "../../../infra/corpus/bad-inputs.ts";
import { encryptedPdf, rc4 } from "../../../infra/corpus/pdf-encrypt.ts";

/** What pdf.js (through unpdf) says when asked to open the bytes. */
async function openWithPdfJs(bytes: Uint8Array, password?: string) {
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes), password ? { password } : {});
    return { ok: true as const, pages: pdf.numPages, pdf };
  } catch (err) {
    const e = err as { name?: string; code?: number };
    return { ok: false as const, name: e.name, code: e.code };
  }
}

describe("bad inputs", { timeout: 60_000 }, () => {
  it("makes each named input, deterministically", async () => {
    const a = await makeBadInputs({ hugeImageBytes: 200_000 });
    expect(a.map((b) => b.name)).toEqual([...BAD_INPUT_NAMES]);
    const b = await makeBadInputs({ hugeImageBytes: 200_000 });
    expect(
      b.map((x) => Buffer.from(x.bytes).equals(Buffer.from(a.find((y) => y.name === x.name)!.bytes))),
    ).toEqual(a.map(() => true));
  }, 60_000);

  it("corrupt PDF: looks like a PDF, pdf.js rejects it as invalid", async () => {
    const bad = await makeBadInput("corrupt-pdf");
    expect(Buffer.from(bad.bytes.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
    expect(await openWithPdfJs(bad.bytes)).toEqual({
      ok: false,
      name: "InvalidPDFException",
      code: undefined,
    });
  });

  it("empty file: zero bytes, pdf.js rejects it as invalid", async () => {
    const bad = await makeBadInput("empty-file");
    expect(bad.bytes.length).toBe(0);
    expect(await openWithPdfJs(bad.bytes)).toMatchObject({ ok: false, name: "InvalidPDFException" });
  });

  it("zip named .pdf: a real zip archive that pdf.js rejects", async () => {
    const bad = await makeBadInput("zip-named-pdf");
    expect(bad.file.endsWith(".pdf")).toBe(true);
    const buf = Buffer.from(bad.bytes);
    expect(buf.readUInt32LE(0)).toBe(0x04034b50);
    // end-of-central-directory record: two entries, central directory where it says
    const eocd = buf.length - 22;
    expect(buf.readUInt32LE(eocd)).toBe(0x06054b50);
    expect(buf.readUInt16LE(eocd + 10)).toBe(2);
    expect(buf.readUInt32LE(buf.readUInt32LE(eocd + 16))).toBe(0x02014b50);
    expect(await openWithPdfJs(bad.bytes)).toMatchObject({ ok: false, name: "InvalidPDFException" });
  });

  it("encrypted PDF: pdf.js asks for a password, refuses a wrong one, opens and reads it with the right one", async () => {
    const bad = await makeBadInput("encrypted-pdf");
    expect(await openWithPdfJs(bad.bytes)).toEqual({ ok: false, name: "PasswordException", code: 1 });
    expect(await openWithPdfJs(bad.bytes, "wrong")).toEqual({
      ok: false,
      name: "PasswordException",
      code: 2,
    });
    const opened = await openWithPdfJs(
      encryptedPdf({ userPassword: "s3cret", text: "Quarterly figures" }),
      "s3cret",
    );
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const { text } = await extractText(opened.pdf, { mergePages: true });
    expect(text).toContain("Quarterly figures");
    // and the page content is not readable in the file itself
    expect(Buffer.from(bad.bytes).toString("latin1")).not.toContain("quarterly figures");
  });

  it("rc4 matches a published test vector", () => {
    const out = rc4(new TextEncoder().encode("Key"), new TextEncoder().encode("Plaintext"));
    expect(Buffer.from(out).toString("hex")).toBe("bbf316e8d940af0ad3");
  });

  it("fifty-page PDF: pdf.js opens 50 pages with text on the last", async () => {
    const bad = await makeBadInput("fifty-page-pdf");
    const opened = await openWithPdfJs(bad.bytes);
    expect(opened).toMatchObject({ ok: true, pages: 50 });
    if (!opened.ok) return;
    const { text } = await extractText(opened.pdf, { mergePages: false });
    expect(text[49]).toContain("Page 50 of 50");
    const other = await makeBadInput("fifty-page-pdf", { pages: 51 });
    expect(await openWithPdfJs(other.bytes)).toMatchObject({ ok: true, pages: 51 });
  });

  it("huge image: a valid PNG of about 30 MB", async () => {
    const bad = await makeBadInput("huge-image");
    expect(bad.bytes.length).toBeGreaterThan(29_500_000);
    expect(bad.bytes.length).toBeLessThan(30_500_000);
    const meta = await sharp(bad.bytes).metadata();
    expect(meta).toMatchObject({ format: "png", width: 4000 });
    expect(meta.height! * meta.width! * 3).toBeGreaterThan(29_000_000);
  });

  it("image with no text: a valid PNG", async () => {
    const bad = await makeBadInput("no-text-image");
    expect(await sharp(bad.bytes).metadata()).toMatchObject({ format: "png", width: 1200, height: 900 });
  });
});
