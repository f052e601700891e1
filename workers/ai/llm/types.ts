import { z } from "zod";
import { estimateInputTokens, estimateTextTokens } from "./budget/estimate.ts";

/**
 * The one interface every LLM provider implements (Bedrock Converse, any OpenAI-compatible endpoint,
 * the local node-llama-cpp model). A provider does one chat call: no retries (a workflow's Retry does
 * that, with its backoff), no budgets or limits (the `llm` step does those around the call).
 */

export const PROVIDER_NAMES = ["none", "bedrock", "openai", "local"] as const;
export type ProviderSetting = (typeof PROVIDER_NAMES)[number];
export type ProviderName = Exclude<ProviderSetting, "none">;

export const LlmMessageSchema = z.strictObject({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string().min(1).max(400_000),
});
export type LlmMessage = z.infer<typeof LlmMessageSchema>;

/** A JSON Schema object (draft 2020-12 subset) the answer must match. */
export type JsonSchema = Record<string, unknown>;

export interface LlmRequest {
  /** At most one leading `system` message, then alternating user/assistant turns ending with `user`. */
  readonly messages: readonly LlmMessage[];
  readonly maxTokens: number;
  /** When set, the provider asks for JSON matching it and the result carries the parsed value. */
  readonly schema?: JsonSchema;
  readonly temperature?: number;
  readonly signal?: AbortSignal;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** True when the provider reported no usage and it was estimated from the text (budget/estimate.ts). */
  readonly estimated?: boolean;
}

export type StopReason = "end" | "max_tokens" | "other";

export interface LlmResult {
  /** The answer as text (for structured output: the JSON text). */
  readonly text: string;
  /** The parsed JSON, only when the request had a schema (validated by the caller, see structured.ts). */
  readonly json?: unknown;
  readonly usage: TokenUsage;
  readonly model: string;
  readonly stopReason: StopReason;
}

export interface LlmProvider {
  readonly name: ProviderName;
  readonly model: string;
  /** The model's context window in tokens, when it is small enough to matter (the local model). */
  readonly contextTokens?: number;
  chat(request: LlmRequest): Promise<LlmResult>;
  /** Frees sockets, native memory (local model). Idempotent. */
  close(): Promise<void>;
}

export function usageOf(inputTokens: number, outputTokens: number, totalTokens?: number): TokenUsage {
  const i = Math.max(0, Math.trunc(inputTokens));
  const o = Math.max(0, Math.trunc(outputTokens));
  return { inputTokens: i, outputTokens: o, totalTokens: Math.max(i + o, Math.trunc(totalTokens ?? 0)) };
}

/** Usage estimated from the text, for a provider that reported none. */
export function estimatedUsage(messages: readonly LlmMessage[], answer: string): TokenUsage {
  return { ...usageOf(estimateInputTokens(messages), estimateTextTokens(answer)), estimated: true };
}
