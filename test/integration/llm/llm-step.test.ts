/**
 * The `llm` step in real jobs on the stack (LocalStack S3/SQS, the MongoDB-wire server), with the
 * OpenAI-compatible provider pointed at a local HTTP server that speaks the chat-completions protocol:
 * the document comes from page layouts in the tenant's S3 area, usage is counted in `llm_usage`, a
 * tenant's `steps.llm.monthlyTokenBudget` stops a call before the provider sees it, a 429 is retried
 * by the workflow, the `summarize` workflow runs a generated text PDF through detect → pdf-text → llm,
 * and a worker with no provider fails the job with `Sluice.LlmNotConfigured`.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusDocuments } from "../../../infra/corpus/index.ts";
import { COLLECTIONS } from "../../../shared/mongo/collections.ts";
import { STATEMACHINES_DIR } from "../../../shared/runtime/runtime.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { PageLayout } from "../../../workers/ai/layout.ts";
import { builtInSteps, defaultSteps } from "../../../workers/steps/index.ts";
import { openAiCompletion, startWireServer, type WireServer } from "../../support/llm-wire-servers.ts";
import { createTestFleet, type TestFleet } from "../helpers/fleet.ts";

let fleet: TestFleet;
let server: WireServer;
const acme = tenantId("acme");
const WORKFLOWS = resolve(import.meta.dirname, "../fixtures/llm-workflows");

function layout(page: number, text: string): PageLayout {
  return { page, width: 612, height: 792, source: "pdf-text", text, words: [], confidence: 1 };
}

beforeAll(async () => {
  server = await startWireServer();
  fleet = await createTestFleet("llm", {
    tenants: ["acme", "globex"],
    workflowsDir: [STATEMACHINES_DIR, WORKFLOWS],
    env: {
      SLUICE_LLM_PROVIDER: "openai",
      SLUICE_LLM_BASE_URL: `${server.url}/v1`,
      SLUICE_LLM_MODEL: "test-model",
      SLUICE_LLM_MAX_TOKENS: "200",
    },
  });
  // globex may use 100 tokens a month: less than any call below reserves.
  await fleet.rt.fleetDb
    .collection(COLLECTIONS.tenants)
    .updateOne({ tenantId: "globex" }, { $set: { steps: { llm: { monthlyTokenBudget: 100 } } } });
  // As a worker process builds them: the llm step bound to the runtime once it exists.
  const { steps, bindRuntime } = builtInSteps();
  bindRuntime(fleet.rt);
  await fleet.startWorker({ steps, catalog: await fleet.loadCatalog(steps) });
}, 60_000);
afterAll(async () => {
  await fleet?.cleanup();
  await server?.close();
});

async function run(tenant: string, input: unknown, workflow = "llm-ask") {
  const jobId = await fleet.submit(tenant, workflow, input);
  return fleet.waitForJob(tenant, jobId, (j) => j.status === "complete" || j.status === "failed");
}

async function usage(tenant: string) {
  return fleet.rt.fleetDb
    .collection(COLLECTIONS.llmUsage)
    .findOne({ tenantId: tenant }, { projection: { _id: 0, tokens: 1, calls: 1 } });
}

describe("llm step in a job (OpenAI-compatible wire server, real S3 and MongoDB)", () => {
  it("summarizes the pages of a document as JSON and counts the tokens for the tenant", async () => {
    const p1 = await fleet.rt.blobs.put(
      acme,
      ["uploads", "doc", "1.layout.json"],
      JSON.stringify(layout(1, "INVOICE 2026-17")),
    );
    const p2 = await fleet.rt.blobs.put(
      acme,
      ["uploads", "doc", "2.layout.json"],
      JSON.stringify(layout(2, "Total due: 120.00 EUR")),
    );
    server.reply(() =>
      openAiCompletion('{"summary":"An invoice for 120.00 EUR."}', {
        prompt_tokens: 60,
        completion_tokens: 12,
        total_tokens: 72,
      }),
    );
    const schema = {
      type: "object",
      properties: { summary: { type: "string" } },
      required: ["summary"],
      additionalProperties: false,
    };
    const job = await run("acme", {
      prompt: "Summarize the document.",
      layoutKeys: [p2.key, p1.key],
      schema,
      maxTokens: 64,
    });

    expect(job.status, JSON.stringify(job.cause)).toBe("complete");
    expect(job.output).toMatchObject({
      inline: {
        text: '{"summary":"An invoice for 120.00 EUR."}',
        json: { summary: "An invoice for 120.00 EUR." },
        provider: "openai",
        model: "test-model",
        usage: { inputTokens: 60, outputTokens: 12, totalTokens: 72 },
        stopReason: "end",
        documentCharsDropped: 0,
      },
    });
    const req = server.requests.at(-1)!.body as {
      messages: { role: string; content: string }[];
      max_tokens: number;
      response_format: unknown;
    };
    expect(req.max_tokens).toBe(64);
    expect(req.response_format).toMatchObject({ type: "json_schema", json_schema: { schema } });
    expect(req.messages.at(-1)!.content).toBe(
      "Summarize the document.\n\n<document>\n[page 1]\nINVOICE 2026-17\n\n[page 2]\nTotal due: 120.00 EUR\n</document>",
    );
    expect(await usage("acme")).toEqual({ tokens: 72, calls: 1 });
  });

  it("a 429 is retried by the workflow's Retry and then answered", async () => {
    const before = server.requests.length;
    let n = 0;
    server.reply(() =>
      n++ === 0
        ? { status: 429, body: { error: { message: "Rate limit reached" } } }
        : openAiCompletion("Second time lucky.", {
            prompt_tokens: 10,
            completion_tokens: 4,
            total_tokens: 14,
          }),
    );
    const job = await run("acme", { prompt: "Say something." });
    expect(job.status, JSON.stringify(job.cause)).toBe("complete");
    expect(job.output).toMatchObject({ inline: { text: "Second time lucky." } });
    expect(server.requests.length - before).toBe(2);
    // The throttled call cost nothing: 72 before, 14 now.
    expect(await usage("acme")).toEqual({ tokens: 86, calls: 3 });
  });

  it("a tenant over its monthly budget fails with Sluice.TokenBudgetExceeded before the provider is called", async () => {
    const before = server.requests.length;
    const job = await run("globex", { prompt: "Anything at all?", maxTokens: 150 });
    expect(job.status).toBe("failed");
    expect(job.error).toBe("Sluice.TokenBudgetExceeded");
    expect(job.cause).toContain("globex has used 0 of its 100 LLM tokens");
    expect(server.requests.length).toBe(before);
  });

  it("invalid input (both prompt and messages) fails with Sluice.InvalidStepInput", async () => {
    const job = await run("acme", { prompt: "a", messages: [{ role: "user", content: "b" }] });
    expect(job.error).toBe("Sluice.InvalidStepInput");
    expect(job.cause).toContain("exactly one of prompt and messages");
  });

  it("summarize: a generated text PDF through detect, pdf-text per page and llm", async () => {
    let doc: { bytes: Uint8Array; truth: { pages: number; text: string[] } } | undefined;
    for await (const d of corpusDocuments({ n: 1, seed: 11, kinds: ["text-pdf"], types: ["invoice"] }))
      doc = d;
    if (doc === undefined) throw new Error("no document generated");
    const { key } = await fleet.rt.blobs.put(acme, ["uploads", "invoice.pdf"], doc.bytes, {
      contentType: "application/pdf",
    });
    server.reply(() =>
      openAiCompletion('{"summary":"An invoice."}', {
        prompt_tokens: 300,
        completion_tokens: 9,
        total_tokens: 309,
      }),
    );
    const job = await run("acme", { document: { key } }, "summarize");
    expect(job.status, JSON.stringify(job.cause)).toBe("complete");
    expect(job.output).toMatchObject({
      inline: {
        summary: "An invoice.",
        pages: doc.truth.pages,
        provider: "openai",
        usage: { totalTokens: 309 },
      },
    });
    const sent = (server.requests.at(-1)!.body as { messages: { content: string }[] }).messages.at(
      -1,
    )!.content;
    // The page text pdf-text read is what the model was given (first line of the truth's first page).
    expect(sent).toContain("[page 1]");
    expect(sent).toContain(doc.truth.text[0]!.split("\n")[0]!.trim());
  });

  it("summarize: a generated scan (an image) through detect, ocr and llm", async () => {
    let doc: { bytes: Uint8Array; mime: string } | undefined;
    for await (const d of corpusDocuments({
      n: 1,
      seed: 12,
      kinds: ["scan"],
      strengths: ["mild"],
      types: ["receipt"],
    }))
      doc = d;
    if (doc === undefined) throw new Error("no document generated");
    const { key } = await fleet.rt.blobs.put(acme, ["uploads", "scan"], doc.bytes, { contentType: doc.mime });
    server.reply(() => openAiCompletion('{"summary":"A receipt."}'));
    const job = await run("acme", { document: { key } }, "summarize");
    expect(job.status, JSON.stringify(job.cause)).toBe("complete");
    expect(job.output).toMatchObject({ inline: { summary: "A receipt.", pages: 1 } });
    const sent = (server.requests.at(-1)!.body as { messages: { content: string }[] }).messages.at(
      -1,
    )!.content;
    expect(sent).toMatch(/\[page 1\]\n\S/);
  }, 60_000);

  it("with no provider configured the job fails with Sluice.LlmNotConfigured", async () => {
    await fleet.stopWorkers();
    const steps = defaultSteps();
    await fleet.startWorker({ steps, catalog: await fleet.loadCatalog(steps) });
    const job = await run("acme", { prompt: "Hello?" });
    expect(job.status).toBe("failed");
    expect(job.error).toBe("Sluice.LlmNotConfigured");
    expect(job.cause).toContain("SLUICE_LLM_PROVIDER=none");
  });
});
