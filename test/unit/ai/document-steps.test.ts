import pino from "pino";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { PageLayoutSchema } from "../../../workers/ai/layout.ts";
import type { StepContext } from "../../../workers/sdk/context.ts";
import type { Step } from "../../../workers/sdk/define-step.ts";
import { unlimited } from "../../../workers/sdk/limiter.ts";
import { StepError } from "../../../workers/sdk/step-error.ts";
import { detectDocument } from "../../../workers/ai/detect-document.ts";
import { detect } from "../../../workers/steps/detect.ts";
import { withTimeBound } from "../../../workers/steps/document-step-support.ts";
import { pdfRender } from "../../../workers/steps/pdf-render.ts";
import { pdfText } from "../../../workers/steps/pdf-text.ts";
import { thumbnail } from "../../../workers/steps/thumbnail.ts";
import { imagePdf, jpegImage, manyPagePdf, textPdf, zipFile } from "../../support/document-fixtures.ts";
import { MemoryBlobs } from "../../support/memory-blobs.ts";

function context(
  blobs: MemoryBlobs,
  settings: Record<string, unknown> = {},
  signal = new AbortController().signal,
) {
  let beats = 0;
  const ctx: StepContext = {
    tenantId: tenantId("acme"),
    jobId: "job-1",
    stateName: "S",
    attempt: 0,
    idempotencyKey: "job-1:S#1",
    signal,
    heartbeat: async () => {
      beats++;
    },
    log: pino({ level: "silent" }),
    blobs,
    settings,
    limiter: unlimited,
  };
  return { ctx, beats: () => beats };
}

async function run(step: Step, input: unknown, blobs: MemoryBlobs, settings: Record<string, unknown> = {}) {
  return step.handler(input, context(blobs, settings).ctx);
}

async function failure(p: Promise<unknown>): Promise<{ error: string; cause: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StepError);
  return { error: (err as StepError).error, cause: (err as StepError).causeText };
}

const invoicePdf = () =>
  textPdf([
    [{ text: "Invoice INV-9 Total 12.50", x: 50, y: 700 }],
    [{ text: "Terms and conditions", x: 50, y: 700 }],
  ]);

describe("document steps (in-memory blobs)", () => {
  it("detect reports kind, type, pages and size of the referenced document", async () => {
    const blobs = new MemoryBlobs("acme", "job-1");
    const bytes = await invoicePdf();
    const key = blobs.upload("a.pdf", bytes);
    expect(await run(detect, { document: { key } }, blobs)).toEqual({
      kind: "text-pdf",
      mime: "application/pdf",
      pages: 2,
      bytes: bytes.byteLength,
    });
    const img = blobs.upload("b.jpg", await jpegImage(20, 20));
    expect(await run(detect, { document: { key: img } }, blobs)).toMatchObject({ kind: "image", pages: 1 });
  });

  it("detect applies the tenant's page cap and byte limit from its step settings", async () => {
    const blobs = new MemoryBlobs("acme", "job-1");
    const key = blobs.upload("many.pdf", await manyPagePdf(6));
    expect(await failure(run(detect, { document: { key } }, blobs, { maxPages: 5 }))).toEqual({
      error: "Sluice.TooManyPages",
      cause: "the PDF has 6 pages, over the cap of 5",
    });
    expect((await failure(run(detect, { document: { key } }, blobs, { maxDocumentBytes: 100 }))).error).toBe(
      "Sluice.PayloadTooLarge",
    );
    expect((await failure(run(detect, { document: { key } }, blobs, { maxPages: "many" }))).error).toBe(
      "Sluice.InvalidStepSettings",
    );
    const zip = blobs.upload("zip.pdf", zipFile());
    expect((await failure(run(detect, { document: { key: zip } }, blobs))).error).toBe(
      "Sluice.UnsupportedDocument",
    );
  });

  it("pdf-text writes the page's layout to pages/<n>.layout.json and reports its key and length", async () => {
    const blobs = new MemoryBlobs("acme", "job-1");
    const key = blobs.upload("a.pdf", await invoicePdf());
    const out = await run(pdfText, { document: { key }, page: 2 }, blobs);
    expect(out).toEqual({ page: 2, layoutKey: "tenants/acme/jobs/job-1/pages/2.layout.json", chars: 20 });
    const layout = PageLayoutSchema.parse(await blobs.getJson("tenants/acme/jobs/job-1/pages/2.layout.json"));
    expect(layout).toMatchObject({ page: 2, text: "Terms and conditions", source: "pdf-text" });
    expect((await failure(run(pdfText, { document: { key }, page: 3 }, blobs))).error).toBe(
      "Sluice.NoSuchPage",
    );
    expect((await failure(run(pdfText, { document: { key } }, blobs))).error).toBe("Sluice.InvalidStepInput");
  });

  it("pdf-render writes pages/<n>.png at the requested scale", async () => {
    const blobs = new MemoryBlobs("acme", "job-1");
    const key = blobs.upload("scan.pdf", await imagePdf());
    const out = await run(pdfRender, { document: { key }, page: 1, scale: 1.5 }, blobs);
    expect(out).toEqual({
      page: 1,
      imageKey: "tenants/acme/jobs/job-1/pages/1.png",
      width: 450,
      height: 600,
    });
    const png = await blobs.get("tenants/acme/jobs/job-1/pages/1.png");
    expect(await sharp(png).metadata()).toMatchObject({ format: "png", width: 450, height: 600 });
    // The tenant's default scale applies when the input names none.
    expect(await run(pdfRender, { document: { key }, page: 1 }, blobs, { scale: 0.5 })).toMatchObject({
      width: 150,
    });
  });

  it("thumbnail previews a document or an image, beside the job's results", async () => {
    const blobs = new MemoryBlobs("acme", "job-1");
    const pdf = blobs.upload("a.pdf", await invoicePdf());
    expect(await run(thumbnail, { document: { key: pdf } }, blobs, { maxSide: 100 })).toEqual({
      thumbnailKey: "tenants/acme/jobs/job-1/thumbnail.png",
      width: 77,
      height: 100,
    });
    const img = blobs.upload("b.jpg", await jpegImage(400, 200));
    expect(await run(thumbnail, { image: { key: img }, page: 3 }, blobs, { format: "webp" })).toEqual({
      thumbnailKey: "tenants/acme/jobs/job-1/pages/3.thumbnail.webp",
      width: 256,
      height: 128,
    });
    expect((await blobs.head("tenants/acme/jobs/job-1/pages/3.thumbnail.webp"))?.contentType).toBe(
      "image/webp",
    );
  });

  it("work past the step's own time bound fails with Sluice.DocumentTimeout naming it", async () => {
    const blobs = new MemoryBlobs("acme", "job-1");
    const bytes = await manyPagePdf(50);
    const { ctx } = context(blobs);
    const expired = () => AbortSignal.abort(new DOMException("bound", "TimeoutError"));
    const err = await failure(
      withTimeBound(
        ctx,
        60,
        "detecting the document",
        (signal) => detectDocument(bytes, { signal }),
        expired,
      ),
    );
    expect(err).toEqual({
      error: "Sluice.DocumentTimeout",
      cause: "detecting the document took longer than 60 s",
    });
  });

  it("the step's own signal (the state's timeout, shutdown) stops the work with its reason", async () => {
    const blobs = new MemoryBlobs("acme", "job-1");
    const key = blobs.upload("many.pdf", await manyPagePdf(50));
    const ac = new AbortController();
    ac.abort(new Error("task timed out"));
    const { ctx } = context(blobs, {}, ac.signal);
    await expect(detect.handler({ document: { key } }, ctx)).rejects.toThrow("task timed out");
  });
});
