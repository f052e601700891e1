import type { LlmMessage } from "../types.ts";

/**
 * Token estimates for budgeting before a call, when the exact count is not known yet: about four
 * characters a token for English text (the usual rule of thumb for BPE vocabularies), rounded up,
 * plus a few tokens of chat framing per message. A reservation takes this plus the answer's
 * `maxTokens`, and is settled to the provider's reported usage afterwards. Pure.
 */
export const CHARS_PER_TOKEN = 4;
const PER_MESSAGE_OVERHEAD = 4;

export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimateInputTokens(messages: readonly LlmMessage[]): number {
  return messages.reduce((n, m) => n + estimateTextTokens(m.content) + PER_MESSAGE_OVERHEAD, 0);
}

/** The most a call can use: its input plus the longest answer it allows. */
export function reservationFor(messages: readonly LlmMessage[], maxTokens: number): number {
  return estimateInputTokens(messages) + maxTokens;
}
