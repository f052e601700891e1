import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileMachine, runToCompletion, TaskFailure, type TaskEffect } from "../../../shared/asl/index.ts";
import { stepNameOf } from "../../../shared/workflows/step-manifest.ts";
import { decideReview, ReviewGateInputSchema } from "../../../workers/ai/review/decide-review.ts";
import { finalResult, FinalResultInputSchema } from "../../../workers/ai/results/final-result.ts";

const DIR = join(import.meta.dirname, "../../../statemachines");
const machine = compileMachine(JSON.parse(readFileSync(join(DIR, "document-intelligence.asl.json"), "utf8")));

type Kind = "text-pdf" | "image-pdf" | "image";
interface Fake {
  kind: Kind;
  pages: number;
  chars?: number;
  ocrConfidence?: number;
  typeConfidence?: number;
  fieldConfidence?: number;
  minConfidence?: number;
  /** step name → errors to throw on its first calls, in order. */
  failures?: Record<string, TaskFailure[]>;
  decision?: unknown;
}

/** Runs the workflow with fake steps (the real review and results decisions); records each call. */
async function runDoc(f: Fake) {
  const calls: { step: string; input: Record<string, unknown>; state: string }[] = [];
  const failures = Object.fromEntries(Object.entries(f.failures ?? {}).map(([k, v]) => [k, [...v]]));
  const handler = (task: TaskEffect): unknown => {
    const step = stepNameOf(task.resource)!;
    const input = task.input as Record<string, unknown>;
    calls.push({ step, input, state: task.stateName });
    const fail = failures[step]?.shift();
    if (fail) throw fail;
    const page = input["page"] as number;
    switch (step) {
      case "detect":
        return {
          kind: f.kind,
          mime: f.kind === "image" ? "image/png" : "application/pdf",
          pages: f.pages,
          bytes: 1234,
        };
      case "thumbnail":
        return { thumbnailKey: "tenants/acme/jobs/j/thumbnail.png", width: 200, height: 280 };
      case "pdf-text":
        return { page, layoutKey: `tenants/acme/jobs/j/pages/${page}.layout.json`, chars: f.chars ?? 100 };
      case "pdf-render":
        return { page, imageKey: `tenants/acme/jobs/j/pages/${page}.png`, width: 1000, height: 1400 };
      case "ocr":
        return {
          page,
          layoutKey: `tenants/acme/jobs/j/pages/${page}.layout.json`,
          chars: f.chars ?? 80,
          confidence: f.ocrConfidence ?? 0.9,
        };
      case "classify":
        return { type: "invoice", confidence: f.typeConfidence ?? 0.97, scores: { invoice: 0.97 } };
      case "extract":
        return {
          type: "invoice",
          fields: { total: { value: "12.50", confidence: f.fieldConfidence ?? 0.95 } },
          confidence: f.fieldConfidence ?? 0.95,
        };
      case "review":
        return decideReview(ReviewGateInputSchema.parse(input), f.minConfidence ?? 0.8);
      case "human-review":
        if (f.decision instanceof TaskFailure) throw f.decision;
        return f.decision ?? {};
      case "save-results": {
        const r = input["result"] as Record<string, unknown>;
        const fin = finalResult(
          FinalResultInputSchema.parse({
            classification: r["classification"],
            extraction: r["extraction"],
            decision: (r["review"] as { decision?: unknown }).decision,
          }),
        );
        return {
          textKey: "tenants/acme/jobs/j/text.txt",
          resultKey: "tenants/acme/jobs/j/result.json",
          chars: 1,
          ...fin,
        };
      }
      default:
        throw new TaskFailure("Test.UnknownStep", step);
    }
  };
  const result = await runToCompletion(
    machine,
    { document: { key: "tenants/acme/uploads/d.pdf" } },
    { taskHandler: handler },
  );
  return { result, calls, steps: calls.map((c) => c.step) };
}

describe("document-intelligence workflow", () => {
  it("reads a text PDF's pages from its text layer, classifies, extracts and completes with a summary", async () => {
    const { result, steps, calls } = await runDoc({ kind: "text-pdf", pages: 2 });
    expect(result.status).toBe("succeeded");
    expect(steps.filter((s) => s === "pdf-text")).toHaveLength(2);
    expect(steps).not.toContain("ocr");
    expect(steps).not.toContain("human-review");
    expect(calls.find((c) => c.step === "classify")!.input).toEqual({
      layoutKeys: ["tenants/acme/jobs/j/pages/1.layout.json", "tenants/acme/jobs/j/pages/2.layout.json"],
    });
    expect(calls.find((c) => c.step === "thumbnail")!.input).toEqual({
      document: { key: "tenants/acme/uploads/d.pdf" },
    });
    expect(result.output).toMatchObject({
      document: { key: "tenants/acme/uploads/d.pdf", kind: "text-pdf", pages: 2, bytes: 1234 },
      type: "invoice",
      typeConfidence: 0.97,
      fields: { total: { value: "12.50", confidence: 0.95 } },
      chars: 200,
      review: { required: false, minConfidence: 0.8, reasons: [] },
      results: {
        text: "tenants/acme/jobs/j/text.txt",
        result: "tenants/acme/jobs/j/result.json",
        thumbnail: "tenants/acme/jobs/j/thumbnail.png",
      },
    });
  });

  it("renders then OCRs the pages of an image-only PDF, and OCRs an image directly", async () => {
    const pdf = await runDoc({ kind: "image-pdf", pages: 3 });
    expect(pdf.result.status).toBe("succeeded");
    expect(pdf.steps.filter((s) => s === "pdf-render")).toHaveLength(3);
    const ocr = pdf.calls.filter((c) => c.step === "ocr").map((c) => c.input);
    expect(ocr).toContainEqual({ image: { key: "tenants/acme/jobs/j/pages/2.png" }, page: 2 });
    expect(pdf.steps).not.toContain("pdf-text");

    const img = await runDoc({ kind: "image", pages: 1 });
    expect(img.result.status).toBe("succeeded");
    expect(img.calls.find((c) => c.step === "ocr")!.input).toEqual({
      image: { key: "tenants/acme/uploads/d.pdf" },
      page: 1,
    });
    expect(img.calls.find((c) => c.step === "thumbnail")!.input).toEqual({
      image: { key: "tenants/acme/uploads/d.pdf" },
    });
    expect(img.result.output).toMatchObject({
      results: { pages: ["tenants/acme/jobs/j/pages/1.layout.json"] },
    });
  });

  it("stops for a human below the tenant's threshold and applies the reviewer's correction", async () => {
    const { result, calls } = await runDoc({
      kind: "text-pdf",
      pages: 1,
      fieldConfidence: 0.85,
      minConfidence: 0.9,
      decision: { fields: { total: "13.50" } },
    });
    const review = calls.find((c) => c.step === "human-review");
    expect(review?.input).toMatchObject({
      type: "invoice",
      minConfidence: 0.9,
      reasons: ["total 0.85 < 0.9"],
    });
    expect(result.status).toBe("succeeded");
    expect(result.output).toMatchObject({
      fields: { total: { value: "13.50", confidence: 1, corrected: true } },
      review: { required: true, decision: { fields: { total: "13.50" } } },
    });
    // The same result at the default threshold (0.8) goes through without a human.
    expect((await runDoc({ kind: "text-pdf", pages: 1, fieldConfidence: 0.85 })).steps).not.toContain(
      "human-review",
    );
  });

  it("a rejection ends the job failed with the reviewer's reason", async () => {
    const { result } = await runDoc({
      kind: "text-pdf",
      pages: 1,
      typeConfidence: 0.3,
      decision: new TaskFailure("Review.Rejected", "not an invoice"),
    });
    expect(result).toMatchObject({
      status: "failed",
      error: "Review.Rejected",
      cause: "review: not an invoice",
    });
  });

  it("a document without text completes with empty text, no type and no fields", async () => {
    const { result, steps } = await runDoc({ kind: "image", pages: 1, chars: 0 });
    expect(result.status).toBe("succeeded");
    expect(steps).not.toContain("classify");
    expect(steps).not.toContain("human-review");
    expect(result.output).toMatchObject({ type: "other", fields: {}, chars: 0, review: { required: false } });
  });

  it("OCR noise (letters read at under 0.3 confidence from a picture) counts as no text", async () => {
    const noise = await runDoc({ kind: "image", pages: 1, chars: 400, ocrConfidence: 0.08 });
    expect(noise.result.status).toBe("succeeded");
    expect(noise.steps).not.toContain("classify");
    expect(noise.result.output).toMatchObject({ type: "other", chars: 0 });
    // A page read at fair confidence is text.
    const scan = await runDoc({ kind: "image", pages: 1, chars: 400, ocrConfidence: 0.6 });
    expect(scan.steps).toContain("classify");
  });

  it("a timed-out OCR is not retried (the same pixels take as long again): the job fails with the reason", async () => {
    const { result, steps } = await runDoc({
      kind: "image",
      pages: 1,
      failures: { ocr: [new TaskFailure("States.Timeout", "Task timed out after 90 seconds")] },
    });
    expect(steps.filter((s) => s === "ocr")).toHaveLength(1);
    expect(result).toMatchObject({
      status: "failed",
      error: "States.Timeout",
      cause: "pages: Task timed out after 90 seconds",
    });
  });

  it("fails cleanly with the step's error and the stage when a document cannot be read", async () => {
    const corrupt = await runDoc({
      kind: "text-pdf",
      pages: 1,
      failures: { detect: [new TaskFailure("Sluice.CorruptDocument", "no PDF header")] },
    });
    expect(corrupt.result).toMatchObject({
      status: "failed",
      error: "Sluice.CorruptDocument",
      cause: "detect: no PDF header",
    });
    expect(corrupt.steps).toEqual(["detect"]);

    const page = await runDoc({
      kind: "image-pdf",
      pages: 2,
      failures: { "pdf-render": [new TaskFailure("Sluice.CorruptDocument", "page 1 is broken")] },
    });
    expect(page.result).toMatchObject({
      status: "failed",
      error: "Sluice.CorruptDocument",
      cause: "pages: page 1 is broken",
    });
  });

  it("retries transient errors with backoff and goes on; a failed thumbnail does not fail the job", async () => {
    const { result, steps } = await runDoc({
      kind: "image",
      pages: 1,
      failures: {
        ocr: [
          new TaskFailure("Sluice.Transient", "S3 throttled"),
          new TaskFailure("Sluice.Transient", "again"),
        ],
        thumbnail: [new TaskFailure("Sluice.CorruptDocument", "cannot decode")],
      },
    });
    expect(result.status).toBe("succeeded");
    expect(steps.filter((s) => s === "ocr")).toHaveLength(3);
    expect(result.elapsedMs).toBeGreaterThan(0);
    expect(result.output).toMatchObject({ results: { thumbnail: null } });
  });
});
