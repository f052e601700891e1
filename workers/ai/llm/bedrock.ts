import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { asLlmError, codeForStatus, LlmError, type LlmErrorCode } from "./errors.ts";
import { requestSchema, structuredAnswer } from "./structured.ts";
import {
  estimatedUsage,
  usageOf,
  type LlmProvider,
  type LlmRequest,
  type LlmResult,
  type StopReason,
} from "./types.ts";

/**
 * Amazon Bedrock through the Converse API. The client gets a `NodeHttpHandler`: the Bedrock runtime
 * client defaults to HTTP/2, which endpoints that speak HTTP/1.1 only (local test servers, some
 * proxies) never answer. `maxAttempts: 1`: a throttled or failed call surfaces at once as a named
 * step error, and the workflow's Retry decides (with its backoff, visible in the job's history).
 * Structured output uses Converse's `outputConfig.textFormat` (a JSON schema).
 */
export interface BedrockOptions {
  readonly region: string;
  /** Endpoint override (a VPC endpoint, a proxy, a test server); unset for the regional endpoint. */
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  readonly model: string;
  readonly timeoutMs: number;
}

/** The Converse input for one call (exported for tests of its shape). */
export function converseInput(model: string, req: LlmRequest): ConverseCommandInput {
  const system = req.messages.filter((m) => m.role === "system").map((m) => ({ text: m.content }));
  const turns = req.messages
    .filter((m) => m.role !== "system")
    .map((m) => ({ role: m.role as "user" | "assistant", content: [{ text: m.content }] }));
  return {
    modelId: model,
    ...(system.length > 0 ? { system } : {}),
    messages: turns,
    inferenceConfig: {
      maxTokens: req.maxTokens,
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    },
    ...(req.schema !== undefined
      ? {
          outputConfig: {
            textFormat: {
              type: "json_schema",
              structure: { jsonSchema: { name: "output", schema: JSON.stringify(req.schema) } },
            },
          },
        }
      : {}),
  };
}

const BY_NAME: Readonly<Record<string, LlmErrorCode>> = {
  ThrottlingException: "throttled",
  ServiceQuotaExceededException: "throttled",
  ServiceUnavailableException: "unavailable",
  InternalServerException: "unavailable",
  ModelNotReadyException: "unavailable",
  ModelTimeoutException: "timeout",
  ModelErrorException: "unavailable",
  ValidationException: "rejected",
  AccessDeniedException: "rejected",
  ResourceNotFoundException: "rejected",
  ConflictException: "rejected",
  UnrecognizedClientException: "rejected",
};

/** An SDK error as an `LlmError`: by the exception's name, else by its HTTP status. */
export function bedrockError(err: unknown, signal?: AbortSignal): LlmError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  const byName = typeof e?.name === "string" ? BY_NAME[e.name] : undefined;
  if (byName !== undefined || (status !== undefined && status >= 400)) {
    const code = byName ?? codeForStatus(status!);
    return new LlmError(code, `bedrock: ${e.name}${status ? ` (HTTP ${status})` : ""}: ${e.message ?? ""}`, {
      cause: err,
      ...(status !== undefined ? { httpStatus: status } : {}),
    });
  }
  return asLlmError(err, "bedrock", signal);
}

export function stopReasonOf(reason: string | undefined): StopReason {
  if (reason === "end_turn" || reason === "stop_sequence") return "end";
  if (reason === "max_tokens") return "max_tokens";
  return "other";
}

function textOf(out: ConverseCommandOutput): string {
  const content = out.output?.message?.content;
  if (!Array.isArray(content)) throw new LlmError("bad_response", "bedrock: the response has no message");
  return content.map((c) => c.text ?? "").join("");
}

export function createBedrockProvider(opts: BedrockOptions): LlmProvider {
  const client = new BedrockRuntimeClient({
    region: opts.region,
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 10_000, requestTimeout: opts.timeoutMs }),
  });
  return {
    name: "bedrock",
    model: opts.model,
    async chat(req: LlmRequest): Promise<LlmResult> {
      const schema = requestSchema(req.schema);
      const timeout = AbortSignal.timeout(opts.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let out: ConverseCommandOutput;
      try {
        out = await client.send(new ConverseCommand(converseInput(opts.model, req)), { abortSignal: signal });
      } catch (err) {
        throw bedrockError(err, req.signal);
      }
      const text = textOf(out);
      const u = out.usage;
      const usage =
        u?.inputTokens !== undefined && u.outputTokens !== undefined
          ? usageOf(u.inputTokens, u.outputTokens, u.totalTokens)
          : estimatedUsage(req.messages, text);
      return {
        text,
        ...(schema ? { json: structuredAnswer(text, schema, usage) } : {}),
        usage,
        model: opts.model,
        stopReason: stopReasonOf(out.stopReason),
      };
    },
    async close() {
      client.destroy();
    },
  };
}
