/**
 * Bad inputs through the document-intelligence workflow on the local stack (files from
 * infra/corpus/bad-inputs.ts, uploaded as a careless client would): each ends in a clear job state —
 * failed with a named error and a reason, or complete with empty text — and the worker goes on to
 * read a good document afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDocument } from "../../infra/corpus/index.ts";
import { makeBadInputs, type BadInput, type BadInputName } from "../../infra/corpus/bad-inputs.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { uploadKey } from "../../shared/tenancy/keys.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import type { Worker } from "../../workers/worker.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const acme = tenantId("acme");
let fleet: TestFleet;
let worker: Worker;
let inputs: BadInput[];

const WAIT_MS = 180_000;

type Outcome =
  | { status: "failed"; error: string }
  | { status: "complete"; chars: 0 }
  | { status: "read"; pages: number }
  | { status: "empty-or-failed"; errors: readonly string[] };

/** What each bad input must end as. */
const EXPECTED: Record<BadInputName, Outcome> = {
  "corrupt-pdf": { status: "failed", error: "Sluice.CorruptDocument" },
  "empty-file": { status: "failed", error: "Sluice.CorruptDocument" },
  "zip-named-pdf": { status: "failed", error: "Sluice.UnsupportedDocument" },
  "encrypted-pdf": { status: "failed", error: "Sluice.EncryptedDocument" },
  // OCR reads a few letters of noise at ~0.1 confidence: no text.
  "no-text-image": { status: "complete", chars: 0 },
  // 30 MB of noise: OCR either finds nothing, or runs past the OCR Task's 90 s and is not retried.
  "huge-image": { status: "empty-or-failed", errors: ["States.Timeout", "Sluice.ImageTooLarge"] },
  // At the default page cap (50): read to the end.
  "fifty-page-pdf": { status: "read", pages: 50 },
};

beforeAll(async () => {
  fleet = await createTestFleet("badinputs", { tenants: ["acme"] });
  worker = await fleet.startWorker();
  inputs = await makeBadInputs();
}, 120_000);
afterAll(() => fleet?.cleanup());

async function submit(name: string, bytes: Uint8Array, mime: string): Promise<string> {
  const { key } = await fleet.rt.blobs.put(acme, uploadKey(acme, "bad", name), bytes, { contentType: mime });
  return fleet.submit(acme, "document-intelligence", { document: { key } });
}

/** The data a parked job waits for a decision on. */
const reviewData = (job: JobDoc) => fleet.rt.payloads.load(job.tenantId, job.review!.input);

const atRest = (j: JobDoc) => j.status !== "queued" && j.status !== "running";

describe("document-intelligence on bad inputs", () => {
  it("each ends failed with a reason or complete with empty text, and the worker reads a good document after", async () => {
    expect(inputs.map((i) => i.name).sort()).toEqual(Object.keys(EXPECTED).sort());
    const jobs = await Promise.all(
      inputs.map(async (i) => ({ input: i, jobId: await submit(i.file, i.bytes, i.mime) })),
    );
    for (const { input, jobId } of jobs) {
      const job = await fleet.waitForJob("acme", jobId, atRest, WAIT_MS);
      const want = EXPECTED[input.name];
      const seen = `${input.name}: ${job.status} ${job.error ?? ""} ${job.cause ?? ""}`;
      if (want.status === "failed") {
        expect(job.status, seen).toBe("failed");
        expect(job.error, seen).toBe(want.error);
        // The reason names the stage and says what is wrong with the file.
        expect(job.cause, seen).toMatch(/^detect: .{10,}/);
      } else if (want.status === "empty-or-failed" && job.status === "failed") {
        expect(want.errors, seen).toContain(job.error);
        expect(job.cause, seen).toMatch(/^(detect|pages): .{10,}/);
      } else if (want.status === "complete" || want.status === "empty-or-failed") {
        expect(job.status, seen).toBe("complete");
        expect(
          (job.output as unknown as { inline: { chars: number; type: string; fields: object } }).inline,
        ).toMatchObject({
          chars: 0,
          type: "other",
          fields: {},
        });
      } else {
        // Read through: complete, or waiting for a human when the classifier is unsure.
        expect(["complete", "needs_review"], seen).toContain(job.status);
        const data = (
          job.status === "complete"
            ? (job.output as unknown as { inline: { document: { pages: number } } }).inline.document
            : ((await reviewData(job)) as { pages: number })
        ) as { pages: number };
        expect(data.pages, seen).toBe(want.pages);
      }
    }

    // The same worker (no restart) goes on: nothing above crashed it or left a slot taken.
    expect(worker.busy).toBe(0);
    const good = await generateDocument("it-bad:good", { type: "invoice", kind: "text-pdf" });
    const goodJob = await submit(good.truth.file, good.bytes, good.mime);
    const done = await fleet.waitForJob("acme", goodJob, atRest, WAIT_MS);
    // Read through (a human is asked when a field is unsure: acme has the default threshold).
    expect(["complete", "needs_review"], `${done.error}: ${done.cause}`).toContain(done.status);
  }, 600_000);
});
