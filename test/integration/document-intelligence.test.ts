/**
 * The document-intelligence workflow end to end on the local stack: documents generated in the test
 * (corpus API), uploaded through the blob store, run by a real worker with the built-in steps
 * (detect, pdf-text, pdf-render, ocr, thumbnail, classify, extract, review, save-results), results
 * read back from S3 and MongoDB. Two tenants; one job goes through human review.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDocument, type GeneratedDocument } from "../../infra/corpus/index.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { assertKeyBelongsToTenant, jobPrefix, uploadKey } from "../../shared/tenancy/keys.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { createReviews, type Reviews } from "../../workers/review.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import type { AuditActor } from "../../shared/audit/audit-log.ts";

const ops: AuditActor = { kind: "os", subject: "ops" };

const acme = tenantId("acme");
const globex = tenantId("globex");
let fleet: TestFleet;
let reviews: Reviews;

const WAIT_MS = 120_000;

interface Summary {
  document: { key: string; kind: string; pages: number; bytes: number };
  type: string;
  typeConfidence: number;
  fields: Record<string, { value: unknown; confidence: number; corrected?: boolean }>;
  chars: number;
  review: { required: boolean; minConfidence: number | null; reasons: string[]; decision: unknown };
  results: { text: string; result: string; thumbnail: string | null; pages: string[] };
}

beforeAll(async () => {
  fleet = await createTestFleet("docintel", { tenants: ["acme", "globex"] });
  reviews = createReviews(fleet.rt, fleet.catalog);
  // acme never asks a human; globex asks about everything that is not certain.
  const tenants = fleet.rt.fleetDb.collection<{ tenantId: string }>(COLLECTIONS.tenants);
  for (const [tenant, minConfidence] of [
    [acme, 0],
    [globex, 1],
  ] as const) {
    const res = await tenants.updateOne(
      { tenantId: tenant },
      {
        $set: { steps: { review: { minConfidence } } },
        $inc: { version: 1 },
        $currentDate: { updatedAt: true },
      },
    );
    expect(res.matchedCount).toBe(1);
  }
  await fleet.startWorker();
}, 60_000);
afterAll(() => fleet?.cleanup());

async function submitDocument(tenant: typeof acme, doc: GeneratedDocument): Promise<string> {
  const { key } = await fleet.rt.blobs.put(tenant, uploadKey(tenant, "it", doc.truth.file), doc.bytes, {
    contentType: doc.mime,
  });
  return fleet.submit(tenant, "document-intelligence", { document: { key } });
}

/** The data a parked job waits for a decision on. */
const reviewData = (job: JobDoc) => fleet.rt.payloads.load(job.tenantId, job.review!.input);

function summaryOf(job: JobDoc): Summary {
  expect(job.output).toHaveProperty("inline");
  return (job.output as unknown as { inline: Summary }).inline;
}

describe("document-intelligence end to end", () => {
  it("reads a text PDF and an image-only PDF for one tenant: type, fields, text, thumbnail under the job's prefix", async () => {
    const invoice = await generateDocument("it-docintel:1", { type: "invoice", kind: "text-pdf" });
    const letter = await generateDocument("it-docintel:2", { type: "letter", kind: "image-pdf" });
    const [invoiceJob, letterJob] = await Promise.all([
      submitDocument(acme, invoice),
      submitDocument(acme, letter),
    ]);
    const done = await fleet.waitForJob(
      acme,
      invoiceJob,
      (j) => j.status !== "queued" && j.status !== "running",
      WAIT_MS,
    );
    expect(done.status, `${done.error}: ${done.cause} ${JSON.stringify(done.review?.input)}`).toBe(
      "complete",
    );
    const out = summaryOf(done);
    expect(out.document).toMatchObject({
      kind: "text-pdf",
      pages: invoice.truth.pages,
      bytes: invoice.bytes.length,
    });
    expect(out.type).toBe("invoice");
    expect(out.review.required).toBe(false);
    for (const name of ["invoice_number", "total", "currency"])
      expect(out.fields[name]?.value, name).toBe(invoice.truth.fields[name]);

    const prefix = jobPrefix(acme, invoiceJob);
    for (const key of [out.results.text, out.results.result, out.results.thumbnail!, ...out.results.pages])
      expect(key.startsWith(prefix), key).toBe(true);
    expect(out.results.pages).toHaveLength(invoice.truth.pages);
    const own = (key: string) => assertKeyBelongsToTenant(key, acme);
    const text = await fleet.rt.blobs.getString(acme, own(out.results.text));
    expect(text).toContain(invoice.truth.fields["invoice_number"]);
    const result = await fleet.rt.blobs.getJson<{ type: string; fields: Summary["fields"] }>(
      acme,
      own(out.results.result),
    );
    expect(result.type).toBe("invoice");
    expect(result.fields["total"]?.value).toBe(invoice.truth.fields["total"]);
    expect(await fleet.rt.blobs.head(acme, own(out.results.thumbnail!))).toBeDefined();

    const ocred = await fleet.waitForJob(
      acme,
      letterJob,
      (j) => j.status !== "queued" && j.status !== "running",
      WAIT_MS,
    );
    expect(["complete", "needs_review"]).toContain(ocred.status);
    const data = (
      ocred.status === "complete" ? summaryOf(ocred) : await reviewData(ocred)
    ) as Partial<Summary> & {
      kind?: string;
    };
    expect(data.type).toBe("letter");
    if (ocred.status === "complete") expect(summaryOf(ocred).chars).toBeGreaterThan(50);
  }, 240_000);

  it("a tenant's stricter threshold parks a scan for review; approving with a correction completes it", async () => {
    const receipt = await generateDocument("it-docintel:3", {
      type: "receipt",
      kind: "scan",
      strength: "mild",
    });
    const jobId = await submitDocument(globex, receipt);
    const parked = await fleet.waitForJob(
      globex,
      jobId,
      (j) => j.status !== "queued" && j.status !== "running",
      WAIT_MS,
    );
    expect(parked.status, `${parked.error}: ${parked.cause}`).toBe("needs_review");
    expect(parked.review!.stateName).toBe("HumanReview");
    const data = (await reviewData(parked)) as {
      minConfidence: number;
      reasons: string[];
      document: { key: string };
    };
    expect(data.minConfidence).toBe(1);
    expect(data.reasons.length).toBeGreaterThan(0);
    expect((await reviews.list(globex)).map((j) => j._id)).toContain(jobId);
    // The other tenant sees nothing of it.
    expect(await fleet.rt.jobsOf(acme).get(jobId)).toBeNull();

    await reviews.approve(
      globex,
      jobId,
      { type: "receipt", fields: { total: "999.99" } },
      { actor: ops, reviewer: "ada" },
    );
    const done = await fleet.waitForJob(
      globex,
      jobId,
      (j) => j.status === "complete" || j.status === "failed",
      WAIT_MS,
    );
    expect(done.status, `${done.error}: ${done.cause}`).toBe("complete");
    const out = summaryOf(done);
    expect(out.type).toBe("receipt");
    expect(out.fields["total"]).toEqual({ value: "999.99", confidence: 1, corrected: true });
    expect(out.review).toMatchObject({
      required: true,
      minConfidence: 1,
      decision: { fields: { total: "999.99" } },
    });
    expect(out.results.text.startsWith(jobPrefix(globex, jobId))).toBe(true);
  }, 240_000);
});
