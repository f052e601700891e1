import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAiProvider } from "../../../workers/ai/llm/openai.ts";
import { LlmError, llmErrorName } from "../../../workers/ai/llm/errors.ts";
import type { LlmProvider } from "../../../workers/ai/llm/types.ts";
import { openAiCompletion, startWireServer, type WireServer } from "../../support/llm-wire-servers.ts";

const SCHEMA = {
  type: "object",
  properties: { title: { type: "string" }, pages: { type: "integer", minimum: 1 } },
  required: ["title", "pages"],
  additionalProperties: false,
};

async function failure(p: Promise<unknown>): Promise<LlmError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

describe("OpenAI-compatible provider over real HTTP", () => {
  let server: WireServer;
  let provider: LlmProvider;

  beforeAll(async () => {
    server = await startWireServer();
    provider = createOpenAiProvider({
      baseUrl: `${server.url}/v1/`,
      apiKey: "sk-test",
      model: "test-model",
      timeoutMs: 5000,
    });
  });
  afterAll(() => server.close());

  it("posts the chat request with the key and parses text, usage and stop reason", async () => {
    server.reply(() => openAiCompletion("Paris."));
    const r = await provider.chat({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Capital of France?" },
      ],
      maxTokens: 32,
      temperature: 0,
    });
    expect(r).toEqual({
      text: "Paris.",
      usage: { inputTokens: 21, outputTokens: 7, totalTokens: 28 },
      model: "test-model",
      stopReason: "end",
    });
    const req = server.requests.at(-1)!;
    expect(req.method).toBe("POST");
    expect(req.url).toBe("/v1/chat/completions");
    expect(req.headers["authorization"]).toBe("Bearer sk-test");
    expect(req.body).toEqual({
      model: "test-model",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Capital of France?" },
      ],
      max_tokens: 32,
      temperature: 0,
    });
  });

  it("asks for a JSON schema and returns the validated value", async () => {
    server.reply(() => openAiCompletion('```json\n{"title":"Invoice 7","pages":2}\n```', undefined, "stop"));
    const r = await provider.chat({
      messages: [{ role: "user", content: "Describe it." }],
      maxTokens: 64,
      schema: SCHEMA,
    });
    expect(r.json).toEqual({ title: "Invoice 7", pages: 2 });
    expect(server.requests.at(-1)!.body).toMatchObject({
      response_format: { type: "json_schema", json_schema: { name: "output", schema: SCHEMA, strict: true } },
    });
  });

  it("an answer that breaks the schema is Sluice.LlmOutputInvalid", async () => {
    server.reply(() => openAiCompletion('{"title":"x","pages":0}'));
    const err = await failure(
      provider.chat({ messages: [{ role: "user", content: "x" }], maxTokens: 8, schema: SCHEMA }),
    );
    expect(llmErrorName(err.code)).toBe("Sluice.LlmOutputInvalid");
    expect(err.message).toMatch(/pages/);
  });

  it("429 is retryable Sluice.LlmThrottled with the server's message; 500 Sluice.LlmUnavailable; 401 not retryable", async () => {
    server.reply(() => ({
      status: 429,
      headers: { "retry-after": "3" },
      body: { error: { message: "Rate limit reached", type: "requests" } },
    }));
    const throttled = await failure(
      provider.chat({ messages: [{ role: "user", content: "x" }], maxTokens: 8 }),
    );
    expect([llmErrorName(throttled.code), throttled.retryable, throttled.httpStatus]).toEqual([
      "Sluice.LlmThrottled",
      true,
      429,
    ]);
    expect(throttled.message).toMatch(/Rate limit reached.*retry after 3/);

    server.reply(() => ({ status: 500, body: "upstream exploded" }));
    const down = await failure(provider.chat({ messages: [{ role: "user", content: "x" }], maxTokens: 8 }));
    expect([llmErrorName(down.code), down.retryable]).toEqual(["Sluice.LlmUnavailable", true]);

    server.reply(() => ({ status: 401, body: { error: { message: "Incorrect API key" } } }));
    const denied = await failure(provider.chat({ messages: [{ role: "user", content: "x" }], maxTokens: 8 }));
    expect([llmErrorName(denied.code), denied.retryable]).toEqual(["Sluice.LlmRequestRejected", false]);
  });

  it("a response without usage is estimated from the text; a malformed one is Sluice.LlmBadResponse", async () => {
    server.reply(() => ({
      status: 200,
      body: { choices: [{ message: { content: "four words of answer" }, finish_reason: "length" }] },
    }));
    const r = await provider.chat({ messages: [{ role: "user", content: "12345678" }], maxTokens: 5 });
    expect(r.usage).toEqual({ inputTokens: 6, outputTokens: 5, totalTokens: 11, estimated: true });
    expect(r.stopReason).toBe("max_tokens");

    server.reply(() => ({ status: 200, body: { choices: [] } }));
    const err = await failure(provider.chat({ messages: [{ role: "user", content: "x" }], maxTokens: 5 }));
    expect(llmErrorName(err.code)).toBe("Sluice.LlmBadResponse");
  });

  it("a connection refused is Sluice.LlmUnavailable", async () => {
    const dead = createOpenAiProvider({ baseUrl: "http://127.0.0.1:1/v1", model: "m", timeoutMs: 2000 });
    const err = await failure(dead.chat({ messages: [{ role: "user", content: "x" }], maxTokens: 5 }));
    expect([llmErrorName(err.code), err.retryable]).toEqual(["Sluice.LlmUnavailable", true]);
  });
});
