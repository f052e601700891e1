import { createHash } from "node:crypto";
import { z } from "zod";
import { PageLayoutSchema } from "../ai/layout.ts";
import { LlmError, llmErrorName } from "../ai/llm/errors.ts";
import { unconfiguredLlmRuntime } from "../ai/llm/llm-runtime.ts";
import { documentFromPages } from "../ai/llm/prompt.ts";
import { LlmInputError, runLlm, type LlmRuntime } from "../ai/llm/run-llm.ts";
import { LlmMessageSchema } from "../ai/llm/types.ts";
import { defineStep, type Step } from "../sdk/define-step.ts";
import { SDK_ERRORS, StepError } from "../sdk/step-error.ts";

/** A page layout is one page's words; anything bigger is not one. */
const MAX_LAYOUT_BYTES = 16 * 1024 * 1024;

export const LlmStepInputSchema = z
  .strictObject({
    prompt: z.string().min(1).max(200_000).optional(),
    system: z.string().max(50_000).optional(),
    messages: z.array(LlmMessageSchema).min(1).max(100).optional(),
    /** A JSON Schema (of an object) the answer must match; the parsed answer is `json`. */
    schema: z.record(z.string(), z.unknown()).optional(),
    maxTokens: z.number().int().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    /** The document, inline. */
    documentText: z.string().max(2_000_000).optional(),
    /** Or the document's pages: layout keys written by `pdf-text` / `ocr`, read through the blob store. */
    layoutKeys: z.array(z.string().min(1).max(1024)).max(1000).optional(),
  })
  .refine((i) => (i.prompt === undefined) !== (i.messages === undefined), {
    message: "give exactly one of prompt and messages",
  })
  .refine((i) => i.documentText === undefined || i.layoutKeys === undefined, {
    message: "give at most one of documentText and layoutKeys",
  })
  .refine((i) => i.messages === undefined || i.messages.at(-1)?.role === "user", {
    message: "the last message must be the user's",
    path: ["messages"],
  });

export const LlmStepOutputSchema = z.strictObject({
  text: z.string(),
  json: z.unknown().optional(),
  provider: z.enum(["bedrock", "openai", "local"]),
  model: z.string(),
  usage: z.strictObject({
    inputTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    totalTokens: z.number().int().min(0),
    estimated: z.boolean().optional(),
  }),
  stopReason: z.enum(["end", "max_tokens", "other"]),
  documentCharsDropped: z.number().int().min(0),
});

/** The tenant's settings for the step (`steps.llm` of its tenant document). */
export const LlmSettingsSchema = z.looseObject({
  /** LLM tokens (input + output) the tenant may use per UTC month; unset: SLUICE_LLM_MONTHLY_TOKEN_BUDGET. */
  monthlyTokenBudget: z.number().int().min(0).optional(),
});

/**
 * `llm`: one question to the configured language model (workers/ai/llm), with the document's text
 * when given (inline or from page layouts), optional JSON-schema structured output, the tenant's
 * monthly token budget checked before the call and its usage counted after. Failures are named
 * `Sluice.Llm*` / `Sluice.TokenBudgetExceeded` task errors (README "LLM step").
 */
export function createLlmStep(runtime: LlmRuntime): Step {
  return defineStep({
    name: "llm",
    description: "Asks the configured language model (Bedrock, OpenAI-compatible or local) one question",
    input: LlmStepInputSchema,
    output: LlmStepOutputSchema,
    settings: LlmSettingsSchema,
    run: async (input, ctx) => {
      // A replayed invocation (the same idempotency key after a redelivery) returns the answer it
      // already paid for instead of calling the provider, and the budget, again.
      const answerKey = ctx.blobs.keyFor(answerParts(ctx.idempotencyKey));
      if ((await ctx.blobs.head(answerKey)) !== undefined) {
        const kept = LlmStepOutputSchema.safeParse(await ctx.blobs.getJson(answerKey));
        if (kept.success) {
          ctx.log.info({ answerKey }, "llm answer replayed from the job's prefix");
          return kept.data;
        }
      }
      let document = input.documentText;
      if (input.layoutKeys !== undefined && input.layoutKeys.length > 0) {
        const pages = await Promise.all(
          input.layoutKeys.map(async (key) => {
            const page = PageLayoutSchema.safeParse(
              await ctx.blobs.getJson(key, { maxBytes: MAX_LAYOUT_BYTES }),
            );
            if (!page.success)
              throw new StepError(SDK_ERRORS.invalidBlob, `llm: ${key} is not a page layout`);
            return page.data;
          }),
        );
        document = documentFromPages(pages);
      }
      let answer: z.output<typeof LlmStepOutputSchema>;
      try {
        answer = await runLlm(input, document, runtime, {
          tenantId: ctx.tenantId,
          signal: ctx.signal,
          log: ctx.log,
          limiter: ctx.limiter,
          heartbeat: ctx.heartbeat,
          monthlyBudget: ctx.settings.monthlyTokenBudget,
        });
      } catch (err) {
        if (err instanceof LlmError) throw new StepError(llmErrorName(err.code), err.message);
        if (err instanceof LlmInputError) throw new StepError(SDK_ERRORS.invalidInput, `llm: ${err.message}`);
        throw err;
      }
      await ctx.blobs.put(answerParts(ctx.idempotencyKey), JSON.stringify(answer), {
        contentType: "application/json",
      });
      return answer;
    },
  });
}

/** Where an invocation's answer is kept under the job's prefix: `llm/<hash of the idempotency key>.json`. */
function answerParts(idempotencyKey: string): string[] {
  return ["llm", `${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32)}.json`];
}

/** The step in a registry built without a runtime: it fails every call with `Sluice.LlmNotConfigured`. */
export const llm: Step = createLlmStep(unconfiguredLlmRuntime());
