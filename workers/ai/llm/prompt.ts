import { CHARS_PER_TOKEN, estimateInputTokens } from "./budget/estimate.ts";
import type { JsonSchema, LlmMessage } from "./types.ts";

/**
 * The messages of one `llm` step call, built purely from its input: a `prompt` (with an optional
 * `system`) or ready `messages`, the document text (given inline or read from page layouts) appended
 * to the last user turn, and for structured output an instruction naming the schema (providers that
 * enforce the schema do not need it; it keeps the others on track). The document is cut to what fits
 * the provider's context window, or `MAX_DOCUMENT_CHARS`, and the cut is reported.
 */
export const MAX_DOCUMENT_CHARS = 400_000;
/** Tokens kept free in a small context window for chat framing and tokenizer differences. */
const CONTEXT_MARGIN_TOKENS = 256;

export interface PromptInput {
  readonly prompt?: string | undefined;
  readonly system?: string | undefined;
  readonly messages?: readonly LlmMessage[] | undefined;
  readonly schema?: JsonSchema | undefined;
}

export interface BuiltPrompt {
  readonly messages: LlmMessage[];
  /** Characters of document text dropped to fit (0: none). */
  readonly documentCharsDropped: number;
}

export function schemaInstruction(schema: JsonSchema): string {
  return `Answer with one JSON value only, no prose and no code fence, matching this JSON Schema:\n${JSON.stringify(schema)}`;
}

/** Joins page texts in page order, each under a `[page n]` line. */
export function documentFromPages(pages: readonly { page: number; text: string }[]): string {
  return [...pages]
    .sort((a, b) => a.page - b.page)
    .map((p) => `[page ${p.page}]\n${p.text.trim()}`)
    .join("\n\n");
}

export function buildPrompt(
  input: PromptInput,
  document: string | undefined,
  limits: { readonly maxTokens: number; readonly contextTokens?: number | undefined },
): BuiltPrompt {
  const base: LlmMessage[] = input.messages
    ? input.messages.map((m) => ({ ...m }))
    : [{ role: "user", content: input.prompt ?? "" }];
  const systemParts = [
    ...(input.system !== undefined && input.system.trim() !== "" ? [input.system] : []),
    ...(input.schema !== undefined ? [schemaInstruction(input.schema)] : []),
  ];
  if (systemParts.length > 0) {
    const first = base[0];
    if (first?.role === "system")
      base[0] = { role: "system", content: [first.content, ...systemParts].join("\n\n") };
    else base.unshift({ role: "system", content: systemParts.join("\n\n") });
  }
  if (document === undefined || document.length === 0) return { messages: base, documentCharsDropped: 0 };

  const room =
    limits.contextTokens === undefined
      ? MAX_DOCUMENT_CHARS
      : Math.min(
          MAX_DOCUMENT_CHARS,
          Math.max(
            0,
            limits.contextTokens - limits.maxTokens - CONTEXT_MARGIN_TOKENS - estimateInputTokens(base),
          ) * CHARS_PER_TOKEN,
        );
  const kept = document.length > room ? document.slice(0, room) : document;
  const lastUser = base.map((m) => m.role).lastIndexOf("user");
  const block = `<document>\n${kept}\n</document>`;
  if (lastUser < 0) base.push({ role: "user", content: block });
  else base[lastUser] = { role: "user", content: `${base[lastUser]!.content}\n\n${block}` };
  return { messages: base, documentCharsDropped: document.length - kept.length };
}
