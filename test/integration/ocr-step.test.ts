/**
 * The built-in `ocr` step in real jobs on the stack: a generated mild scan uploaded through the blob
 * store is read into `pages/<n>.layout.json` under the job's prefix (checked against the scan's
 * truth), an image with no text and the 30 MB noise image complete with empty text, and bytes that are no image fail the job with a
 * document error while the worker goes on.
 */
import { resolve } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wordAccuracy } from "../../bench/accuracy/word-accuracy.ts";
import { makeBadInput } from "../../infra/corpus/bad-inputs.ts";
import { generateDocument } from "../../infra/corpus/index.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { PageLayoutSchema } from "../../workers/ai/layout.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

let fleet: TestFleet;
const acme = tenantId("acme");

beforeAll(async () => {
  fleet = await createTestFleet("ocr", {
    workflowsDir: resolve(import.meta.dirname, "fixtures/ocr-workflows"),
  });
  await fleet.startWorker();
}, 60_000);
afterAll(() => fleet?.cleanup());

async function ocrJob(name: string, bytes: Uint8Array, page = 1) {
  const { key } = await fleet.rt.blobs.put(acme, ["uploads", name], bytes);
  const jobId = await fleet.submit("acme", "ocr-page", { image: { key }, page });
  return fleet.waitForJob("acme", jobId, (j) => j.status === "complete" || j.status === "failed", 120_000);
}

describe("ocr step in a job (real S3 and MongoDB)", { timeout: 180_000 }, () => {
  it("reads a scanned page into its layout under the job's prefix", async () => {
    const scan = await generateDocument("ocr-step-it", { kind: "scan", strength: "mild" });
    const job = await ocrJob(`scan.${scan.ext}`, scan.bytes, 3);
    expect(job.status, JSON.stringify(job.cause)).toBe("complete");
    const out = (
      job.output as { inline: { page: number; layoutKey: string; chars: number; confidence: number } }
    ).inline;
    expect(out.page).toBe(3);
    expect(out.layoutKey).toBe(`tenants/acme/jobs/${job._id}/pages/3.layout.json`);
    const layout = PageLayoutSchema.parse(
      JSON.parse(await fleet.rt.blobs.getString(acme, ["jobs", job._id, "pages", "3.layout.json"])),
    );
    expect(layout).toMatchObject({ page: 3, source: "ocr" });
    expect(out.chars).toBe(layout.text.length);
    expect(out.confidence).toBe(layout.confidence);
    const { matched, words } = wordAccuracy(scan.truth.text[0]!, layout.text);
    expect(matched / words).toBeGreaterThanOrEqual(0.9);
    expect(layout.words.length).toBeGreaterThan(20);
  });

  it("an image with no text and a 30 MB image of noise complete with empty text", async () => {
    const blank = await sharp({ create: { width: 900, height: 1200, channels: 3, background: "#f2f2ee" } })
      .jpeg()
      .toBuffer();
    const job = await ocrJob("blank.jpg", blank);
    expect(job.status, JSON.stringify(job.cause)).toBe("complete");
    expect(job.output).toMatchObject({ inline: { page: 1, chars: 0, confidence: 0 } });
    const huge = await makeBadInput("huge-image");
    expect(huge.bytes.length).toBeGreaterThan(29_000_000);
    const hugeJob = await ocrJob(huge.file, huge.bytes);
    expect(hugeJob.status, JSON.stringify(hugeJob.cause)).toBe("complete");
    expect(hugeJob.output).toMatchObject({ inline: { page: 1, chars: 0, confidence: 0 } });
  });

  it("bytes that are no image fail the job with a document error; a truncated image as corrupt", async () => {
    const zip = await ocrJob("scan.png", new TextEncoder().encode("PK\u0003\u0004 not an image"));
    expect(zip).toMatchObject({ status: "failed", error: "Sluice.UnsupportedDocument" });
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const truncated = await ocrJob("cut.png", png.subarray(0, png.length - 40));
    expect(truncated).toMatchObject({ status: "failed", error: "Sluice.CorruptDocument" });
    expect(truncated.cause).toContain("cannot be decoded");
  });
});
