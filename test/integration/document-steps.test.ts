/**
 * The document steps (detect, pdf-text, pdf-render, thumbnail) in jobs on the real stack: documents
 * generated in the test (infra/corpus), uploaded through the tenant's blob store, results read back
 * from S3. Every bad input of issue 11 ends in a clear failed job (error name and cause), and the same
 * worker then still runs a good job.
 */
import { resolve } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBadInput } from "../../infra/corpus/bad-inputs.ts";
import { generateDocument } from "../../infra/corpus/index.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { STATEMACHINES_DIR } from "../../shared/runtime/runtime.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { PageLayoutSchema } from "../../workers/ai/layout.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

let fleet: TestFleet;
const acme = tenantId("acme");

beforeAll(async () => {
  fleet = await createTestFleet("docsteps", {
    tenants: ["acme", "strict"],
    workflowsDir: [STATEMACHINES_DIR, resolve(import.meta.dirname, "fixtures/document-workflows")],
  });
  // The "strict" tenant reads documents of at most 1 MB and 3 pages.
  await fleet.rt.fleetDb.collection(COLLECTIONS.tenants).updateOne(
    { tenantId: "strict" },
    {
      $set: {
        steps: {
          detect: { maxDocumentBytes: 1_000_000, maxPages: 3 },
          thumbnail: { maxDocumentBytes: 1_000_000 },
        },
      },
    },
  );
  await fleet.startWorker();
}, 120_000);
afterAll(() => fleet?.cleanup());

async function upload(tenant: string, name: string, bytes: Uint8Array): Promise<string> {
  const { key } = await fleet.rt.blobs.put(tenantId(tenant), ["uploads", name], bytes);
  return key;
}

async function run(workflow: string, input: unknown, tenant = "acme") {
  const jobId = await fleet.submit(tenant, workflow, input);
  const job = await fleet.waitForJob(
    tenant,
    jobId,
    (j) => j.status === "complete" || j.status === "failed",
    90_000,
  );
  return { job, out: (job.output as { inline?: Record<string, unknown> } | undefined)?.inline };
}

describe("document steps in jobs (real S3 and MongoDB)", () => {
  it("detect → pdf-text on a generated text PDF: the page layout is in S3 under the job's prefix", async () => {
    const doc = await generateDocument("docsteps-invoice", { type: "invoice", kind: "text-pdf" });
    const key = await upload("acme", "invoice.pdf", doc.bytes);
    const detected = await run("doc-detect", { document: { key } });
    expect(detected.job.status, JSON.stringify(detected.job.cause)).toBe("complete");
    expect(detected.out).toEqual({
      kind: "text-pdf",
      mime: "application/pdf",
      pages: doc.truth.pages,
      bytes: doc.bytes.byteLength,
    });

    const { job, out } = await run("doc-pdf-text", { document: { key }, page: 1 });
    expect(job.status, JSON.stringify(job.cause)).toBe("complete");
    const layoutKey = `tenants/acme/jobs/${job._id}/pages/1.layout.json`;
    expect(out).toMatchObject({ page: 1, layoutKey });
    const layout = PageLayoutSchema.parse(
      JSON.parse(await fleet.rt.blobs.getString(acme, ["jobs", job._id, "pages", "1.layout.json"])),
    );
    expect(layout.text.replace(/\s+/g, " ")).toBe(doc.truth.text[0]!.replace(/\s+/g, " "));
    expect(out!.chars).toBe(layout.text.length);
  });

  it("pdf-render and thumbnail on a generated image-only PDF: PNGs in S3", async () => {
    const doc = await generateDocument("docsteps-scan", { kind: "image-pdf" });
    const key = await upload("acme", "scanned.pdf", doc.bytes);
    expect((await run("doc-detect", { document: { key } })).out).toMatchObject({ kind: "image-pdf" });

    const rendered = await run("doc-pdf-render", { document: { key }, page: 1, scale: 1 });
    expect(rendered.job.status, JSON.stringify(rendered.job.cause)).toBe("complete");
    expect(rendered.out).toMatchObject({
      page: 1,
      imageKey: `tenants/acme/jobs/${rendered.job._id}/pages/1.png`,
    });
    // Scale 1: one pixel per point of the page.
    const { width, height } = rendered.out as { width: number; height: number };
    expect(Math.min(width, height)).toBeGreaterThan(300);
    const png = await fleet.rt.blobs.getBuffer(acme, ["jobs", rendered.job._id, "pages", "1.png"]);
    expect(await sharp(png).metadata()).toMatchObject({ format: "png", width, height });

    const thumb = await run("doc-thumbnail", { document: { key } });
    expect(thumb.out).toMatchObject({
      thumbnailKey: `tenants/acme/jobs/${thumb.job._id}/thumbnail.png`,
      height: 256,
    });
    const small = await fleet.rt.blobs.getBuffer(acme, ["jobs", thumb.job._id, "thumbnail.png"]);
    expect((await sharp(small).metadata()).height).toBe(256);
  });

  it.each([
    ["corrupt-pdf", "Sluice.CorruptDocument", /cannot be read/],
    ["empty-file", "Sluice.CorruptDocument", /empty/],
    ["zip-named-pdf", "Sluice.UnsupportedDocument", /ZIP/],
    ["encrypted-pdf", "Sluice.EncryptedDocument", /password/],
  ] as const)("detect fails a %s with %s and the cause", async (name, error, cause) => {
    const bad = await makeBadInput(name);
    const key = await upload("acme", bad.file, bad.bytes);
    const { job } = await run("doc-detect", { document: { key } });
    expect(job.status).toBe("failed");
    expect(job.error).toBe(error);
    expect(job.cause).toMatch(cause);
    // pdf-text and thumbnail name the same error for the same file.
    const text = await run("doc-pdf-text", { document: { key }, page: 1 });
    expect([text.job.status, text.job.error]).toEqual(["failed", error]);
    const thumb = await run("doc-thumbnail", { document: { key } });
    expect([thumb.job.status, thumb.job.error]).toEqual(["failed", error]);
  });

  it("a PDF over the 50-page cap fails with Sluice.TooManyPages; 50 pages pass", async () => {
    const over = await makeBadInput("fifty-page-pdf", { pages: 51 });
    const { job } = await run("doc-detect", {
      document: { key: await upload("acme", over.file, over.bytes) },
    });
    expect([job.status, job.error]).toEqual(["failed", "Sluice.TooManyPages"]);
    expect(job.cause).toBe("the PDF has 51 pages, over the cap of 50");
    const at = await makeBadInput("fifty-page-pdf");
    const ok = await run("doc-detect", { document: { key: await upload("acme", at.file, at.bytes) } });
    expect(ok.out).toMatchObject({ kind: "text-pdf", pages: 50 });
    // The tenant's own cap applies to its jobs.
    const small = await run(
      "doc-detect",
      { document: { key: await upload("strict", at.file, at.bytes) } },
      "strict",
    );
    expect([small.job.error, small.job.cause]).toEqual([
      "Sluice.TooManyPages",
      "the PDF has 50 pages, over the cap of 3",
    ]);
  });

  it("a 30 MB image is detected and thumbnailed within the limits, and refused whole by a tenant's byte limit", async () => {
    const huge = await makeBadInput("huge-image");
    expect(huge.bytes.byteLength).toBeGreaterThan(29_000_000);
    const key = await upload("acme", huge.file, huge.bytes);
    expect((await run("doc-detect", { document: { key } })).out).toEqual({
      kind: "image",
      mime: "image/png",
      pages: 1,
      bytes: huge.bytes.byteLength,
    });
    const thumb = await run("doc-thumbnail", { image: { key } });
    expect(thumb.out).toMatchObject({ width: 256 });
    const strictKey = await upload("strict", huge.file, huge.bytes);
    const refused = await run("doc-detect", { document: { key: strictKey } }, "strict");
    expect([refused.job.status, refused.job.error]).toEqual(["failed", "Sluice.PayloadTooLarge"]);
  });

  it("after every bad input the same worker still completes a good job", async () => {
    const doc = await generateDocument("docsteps-after", { type: "receipt", kind: "text-pdf" });
    const { job, out } = await run("doc-detect", {
      document: { key: await upload("acme", "after.pdf", doc.bytes) },
    });
    expect(job.status).toBe("complete");
    expect(out).toMatchObject({ kind: "text-pdf" });
  });
});
