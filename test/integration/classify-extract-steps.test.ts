/**
 * `classify` and `extract` in a job on the real stack: page layouts of documents generated in the
 * test (corpus generator → text PDF → extractPdfLayouts, the pdf-text step's code) are stored through
 * the blob store, and the steps read them with ctx.blobs: the type with a calibrated confidence, then
 * the type's fields against the ground truth. A key of another tenant and a JSON that is not a
 * layout fail the job by name.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDocument, type DocType } from "../../infra/corpus/index.ts";
import { STATEMACHINES_DIR } from "../../shared/runtime/runtime.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { extractPdfLayouts } from "../../workers/ai/pdf/extract-layouts.ts";
import { defaultSteps } from "../../workers/steps/index.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

let fleet: TestFleet;
const acme = tenantId("acme");
const globex = tenantId("globex");

beforeAll(async () => {
  fleet = await createTestFleet("classify", {
    tenants: ["acme", "globex"],
    steps: defaultSteps(),
    workflowsDir: [STATEMACHINES_DIR, resolve(import.meta.dirname, "fixtures/ai-workflows")],
  });
  await fleet.startWorker();
}, 60_000);
afterAll(() => fleet?.cleanup());

/** A generated text PDF's layouts stored under the tenant's uploads; returns their keys and truth. */
async function storedLayouts(seed: string, type: DocType) {
  const doc = await generateDocument(seed, { type, kind: "text-pdf" });
  const layouts = await extractPdfLayouts(doc.bytes.slice());
  const keys: string[] = [];
  for (const l of layouts) {
    const { key } = await fleet.rt.blobs.put(
      acme,
      ["uploads", doc.id, "pages", `${l.page}.layout.json`],
      JSON.stringify(l),
    );
    keys.push(key);
  }
  return { keys, truth: doc.truth };
}

async function run(tenant: string, input: unknown) {
  const jobId = await fleet.submit(tenant, "classify-extract", input);
  return fleet.waitForJob(tenant, jobId, (j) => j.status === "complete" || j.status === "failed");
}

interface Output {
  inline: {
    classification: { type: string; confidence: number; scores: Record<string, number> };
    extraction: {
      type: string;
      fields: Record<string, { value: string | null; confidence: number }>;
      confidence: number;
    };
  };
}

describe("classify and extract steps in a job (real S3 and MongoDB)", () => {
  it.each<[DocType, string]>([
    ["invoice", "steps-invoice"],
    ["purchase_order", "steps-po"],
    ["letter", "steps-letter"],
  ])(
    "a %s: its type with a high calibrated confidence and its fields as the truth has them",
    async (type, seed) => {
      const { keys, truth } = await storedLayouts(seed, type);
      const job = await run("acme", { layoutKeys: keys });
      expect(job.status, JSON.stringify(job.cause)).toBe("complete");
      const out = (job.output as Output).inline;
      expect(out.classification.type).toBe(type);
      expect(out.classification.confidence).toBeGreaterThan(0.9);
      expect(Object.values(out.classification.scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
      const values = Object.fromEntries(Object.entries(out.extraction.fields).map(([k, v]) => [k, v.value]));
      expect(values).toEqual(truth.fields);
      expect(out.extraction.confidence).toBe(
        Math.min(...Object.values(out.extraction.fields).map((f) => f.confidence)),
      );
      expect(out.extraction.confidence).toBeGreaterThan(0.7);
    },
  );

  it("a layout key of another tenant fails the job with Sluice.ForbiddenKey", async () => {
    const doc = await generateDocument("steps-foreign", { type: "receipt", kind: "text-pdf" });
    const [layout] = await extractPdfLayouts(doc.bytes.slice());
    const { key } = await fleet.rt.blobs.put(globex, ["uploads", "p1.layout.json"], JSON.stringify(layout));
    const job = await run("acme", { layoutKeys: [key] });
    expect(job.status).toBe("failed");
    expect(job.error).toBe("Sluice.ForbiddenKey");
  });

  it("a JSON object that is not a page layout fails the job with Sluice.InvalidLayout and its key", async () => {
    const { key } = await fleet.rt.blobs.put(
      acme,
      ["uploads", "not-a-layout.json"],
      JSON.stringify({ page: 1 }),
    );
    const job = await run("acme", { layoutKeys: [key] });
    expect(job.status).toBe("failed");
    expect(job.error).toBe("Sluice.InvalidLayout");
    expect(job.cause).toContain(key);
  });

  it("input without layoutKeys or text fails with Sluice.InvalidStepInput", async () => {
    const job = await run("acme", { layoutKeys: [] });
    expect(job.status).toBe("failed");
    expect(job.error).toBe("Sluice.InvalidStepInput");
  });
});
