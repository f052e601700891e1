import { z } from "zod";
import { asLlmError, codeForStatus, LlmError } from "./errors.ts";
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
 * Any OpenAI-compatible chat endpoint (OpenAI, Azure-style gateways, vLLM, llama.cpp's server,
 * Ollama's /v1): `POST <baseUrl>/chat/completions` with plain fetch. Structured output is asked for
 * with `response_format: {type: "json_schema"}`; the answer is validated here whatever the server did.
 */
export interface OpenAiOptions {
  /** e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1` (no trailing `/chat/completions`). */
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly model: string;
  readonly timeoutMs: number;
  /** Injected for tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

const ChatCompletionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().min(0),
      completion_tokens: z.number().int().min(0),
      total_tokens: z.number().int().min(0).optional(),
    })
    .optional(),
});

const ErrorBodySchema = z.object({ error: z.object({ message: z.string() }).passthrough() });

export function stopReasonOf(finish: string | null | undefined): StopReason {
  if (finish === "stop") return "end";
  if (finish === "length") return "max_tokens";
  return "other";
}

/** The request body for one call (exported for tests of its shape). */
export function openAiBody(model: string, req: LlmRequest): Record<string, unknown> {
  return {
    model,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    max_tokens: req.maxTokens,
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.schema !== undefined
      ? {
          response_format: {
            type: "json_schema",
            json_schema: { name: "output", schema: req.schema, strict: true },
          },
        }
      : {}),
  };
}

export function createOpenAiProvider(opts: OpenAiOptions): LlmProvider {
  const doFetch = opts.fetch ?? fetch;
  const url = `${opts.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  return {
    name: "openai",
    model: opts.model,
    async chat(req: LlmRequest): Promise<LlmResult> {
      const schema = requestSchema(req.schema);
      const timeout = AbortSignal.timeout(opts.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let res: Response;
      let raw: string;
      try {
        res = await doFetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
          },
          body: JSON.stringify(openAiBody(opts.model, req)),
          signal,
        });
        raw = await res.text();
      } catch (err) {
        throw asLlmError(err, "openai", req.signal);
      }
      if (!res.ok) {
        const detail = ErrorBodySchema.safeParse(safeJson(raw));
        const why = detail.success ? detail.data.error.message : raw.slice(0, 200);
        const retryAfter = res.headers.get("retry-after");
        throw new LlmError(
          codeForStatus(res.status),
          `openai: HTTP ${res.status}: ${why}${retryAfter ? ` (retry after ${retryAfter} s)` : ""}`,
          { httpStatus: res.status },
        );
      }
      const parsed = ChatCompletionSchema.safeParse(safeJson(raw));
      if (!parsed.success) {
        throw new LlmError("bad_response", `openai: unexpected response: ${parsed.error.issues[0]?.message}`);
      }
      const choice = parsed.data.choices[0]!;
      const text = choice.message.content ?? "";
      const u = parsed.data.usage;
      const usage = u
        ? usageOf(u.prompt_tokens, u.completion_tokens, u.total_tokens)
        : estimatedUsage(req.messages, text);
      return {
        text,
        ...(schema ? { json: structuredAnswer(text, schema, usage) } : {}),
        usage,
        model: parsed.data.model ?? opts.model,
        stopReason: stopReasonOf(choice.finish_reason),
      };
    },
    async close() {},
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
