import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileMachine, runToCompletion, TaskFailure, type TaskEffect } from "../../../shared/asl/index.ts";
import { stepNameOf } from "../../../shared/workflows/step-manifest.ts";

const DIR = join(import.meta.dirname, "../../../statemachines");
const machine = compileMachine(JSON.parse(readFileSync(join(DIR, "thumbnails-and-ocr.asl.json"), "utf8")));

async function runOcr(kind: "text-pdf" | "image-pdf" | "image", pages: number, failOn?: string) {
  const calls: { step: string; input: Record<string, unknown> }[] = [];
  const handler = (task: TaskEffect): unknown => {
    const step = stepNameOf(task.resource)!;
    const input = task.input as Record<string, unknown>;
    calls.push({ step, input });
    if (step === failOn) throw new TaskFailure("Sluice.EncryptedDocument", "the PDF is password-protected");
    const page = input["page"] as number;
    switch (step) {
      case "detect":
        return { kind, mime: "application/pdf", pages, bytes: 10 };
      case "thumbnail":
        return { thumbnailKey: "tenants/a/jobs/j/thumbnail.png", width: 100, height: 140 };
      case "pdf-render":
        return { page, imageKey: `tenants/a/jobs/j/pages/${page}.png`, width: 10, height: 14 };
      case "ocr":
        return { page, layoutKey: `tenants/a/jobs/j/pages/${page}.layout.json`, chars: 5, confidence: 0.9 };
      case "save-results":
        return { textKey: "tenants/a/jobs/j/text.txt", resultKey: "tenants/a/jobs/j/result.json", chars: 10 };
      default:
        throw new TaskFailure("Test.UnknownStep", step);
    }
  };
  const result = await runToCompletion(
    machine,
    { document: { key: "tenants/a/uploads/x" } },
    { taskHandler: handler },
  );
  return { result, calls };
}

describe("thumbnails-and-ocr workflow", () => {
  it("renders and OCRs every PDF page, stores the text, lists thumbnail, pages and text", async () => {
    const { result, calls } = await runOcr("text-pdf", 2);
    expect(result.status).toBe("succeeded");
    expect(calls.filter((c) => c.step === "pdf-render")).toHaveLength(2);
    expect(calls.find((c) => c.step === "save-results")!.input).toMatchObject({
      layoutKeys: ["tenants/a/jobs/j/pages/1.layout.json", "tenants/a/jobs/j/pages/2.layout.json"],
    });
    expect(result.output).toMatchObject({
      document: { key: "tenants/a/uploads/x", kind: "text-pdf", pages: 2 },
      thumbnail: { thumbnailKey: "tenants/a/jobs/j/thumbnail.png" },
      text: { key: "tenants/a/jobs/j/text.txt", chars: 10 },
    });
    expect((result.output as { pages: unknown[] }).pages).toHaveLength(2);
  });

  it("OCRs an image as it is", async () => {
    const { result, calls } = await runOcr("image", 1);
    expect(result.status).toBe("succeeded");
    expect(calls.map((c) => c.step)).not.toContain("pdf-render");
    expect(calls.find((c) => c.step === "ocr")!.input).toEqual({
      image: { key: "tenants/a/uploads/x" },
      page: 1,
    });
  });

  it("fails with the step's error and the stage", async () => {
    const { result } = await runOcr("text-pdf", 1, "detect");
    expect(result).toMatchObject({
      status: "failed",
      error: "Sluice.EncryptedDocument",
      cause: "detect: the PDF is password-protected",
    });
  });
});
