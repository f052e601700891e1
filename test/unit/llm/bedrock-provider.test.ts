import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBedrockProvider } from "../../../workers/ai/llm/bedrock.ts";
import { LlmError, llmErrorName } from "../../../workers/ai/llm/errors.ts";
import type { LlmProvider } from "../../../workers/ai/llm/types.ts";
import {
  bedrockError,
  converseAnswer,
  startWireServer,
  type WireServer,
} from "../../support/llm-wire-servers.ts";

const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
const SCHEMA = {
  type: "object",
  properties: { summary: { type: "string" } },
  required: ["summary"],
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

describe("Bedrock Converse provider: the real SDK client against a local HTTP/1.1 server", () => {
  let server: WireServer;
  let provider: LlmProvider;

  beforeAll(async () => {
    server = await startWireServer();
    provider = createBedrockProvider({
      region: "us-west-2",
      endpoint: server.url,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
      model: MODEL,
      timeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await provider.close();
    await server.close();
  });

  it("sends a signed Converse request over HTTP/1.1 and parses text, usage and stop reason", async () => {
    server.reply(() => converseAnswer("A short invoice."));
    const r = await provider.chat({
      messages: [
        { role: "system", content: "Summarize." },
        { role: "user", content: "Invoice 7 for 12.00 EUR" },
      ],
      maxTokens: 100,
      temperature: 0.2,
    });
    expect(r).toEqual({
      text: "A short invoice.",
      usage: { inputTokens: 30, outputTokens: 9, totalTokens: 39 },
      model: MODEL,
      stopReason: "end",
    });
    const req = server.requests.at(-1)!;
    expect(req.httpVersion).toBe("1.1");
    expect(req.method).toBe("POST");
    expect(decodeURIComponent(req.url)).toBe(`/model/${MODEL}/converse`);
    expect(req.headers["authorization"]).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-west-2\/bedrock\/aws4_request/,
    );
    expect(req.body).toEqual({
      system: [{ text: "Summarize." }],
      messages: [{ role: "user", content: [{ text: "Invoice 7 for 12.00 EUR" }] }],
      inferenceConfig: { maxTokens: 100, temperature: 0.2 },
    });
  });

  it("asks for structured output through outputConfig and validates the answer", async () => {
    server.reply(() => converseAnswer('{"summary":"An invoice."}', undefined, "end_turn"));
    const r = await provider.chat({
      messages: [{ role: "user", content: "x" }],
      maxTokens: 50,
      schema: SCHEMA,
    });
    expect(r.json).toEqual({ summary: "An invoice." });
    const body = server.requests.at(-1)!.body as {
      outputConfig: { textFormat: { type: string; structure: { jsonSchema: { schema: string } } } };
    };
    expect(body.outputConfig.textFormat.type).toBe("json_schema");
    expect(JSON.parse(body.outputConfig.textFormat.structure.jsonSchema.schema)).toEqual(SCHEMA);
  });

  it("ThrottlingException (429) is retryable Sluice.LlmThrottled, asked once (no SDK retries)", async () => {
    const before = server.requests.length;
    server.reply(() =>
      bedrockError(429, "ThrottlingException", "Too many requests, please wait before trying again."),
    );
    const err = await failure(provider.chat({ messages: [{ role: "user", content: "x" }], maxTokens: 5 }));
    expect([llmErrorName(err.code), err.retryable, err.httpStatus]).toEqual([
      "Sluice.LlmThrottled",
      true,
      429,
    ]);
    expect(err.message).toMatch(/ThrottlingException.*Too many requests/);
    expect(server.requests.length - before).toBe(1);
  });

  it("500 InternalServerException is Sluice.LlmUnavailable; 400 ValidationException is not retryable", async () => {
    server.reply(() => bedrockError(500, "InternalServerException", "boom"));
    const down = await failure(provider.chat({ messages: [{ role: "user", content: "x" }], maxTokens: 5 }));
    expect([llmErrorName(down.code), down.retryable]).toEqual(["Sluice.LlmUnavailable", true]);

    server.reply(() => bedrockError(400, "ValidationException", "The provided model identifier is invalid."));
    const bad = await failure(provider.chat({ messages: [{ role: "user", content: "x" }], maxTokens: 5 }));
    expect([llmErrorName(bad.code), bad.retryable]).toEqual(["Sluice.LlmRequestRejected", false]);
  });

  it("an error without a known type is classified by its status (503 → unavailable)", async () => {
    server.reply(() => ({ status: 503, body: { message: "slow down" } }));
    const err = await failure(provider.chat({ messages: [{ role: "user", content: "x" }], maxTokens: 5 }));
    expect(llmErrorName(err.code)).toBe("Sluice.LlmUnavailable");
  });
});
