import type { Logger } from "pino";
import type { TenantId } from "../../../shared/tenancy/tenant-id.ts";
import { reservationFor } from "./budget/estimate.ts";
import type { Reservation, ReserveResult } from "./budget/token-budget.ts";
import { LlmError } from "./errors.ts";
import { buildPrompt, type PromptInput } from "./prompt.ts";
import { compileSchema } from "./structured.ts";
import type { LlmProvider, LlmResult, ProviderName, StopReason, TokenUsage } from "./types.ts";

/**
 * One `llm` step call around a provider: build the messages, refuse a call the tenant's monthly
 * token budget cannot hold (a conditional reservation in MongoDB, before the provider is called),
 * wait for the provider's outbound limit (`llm:<provider>`, weighted by the reservation), call it
 * with the step's abort signal while heartbeating, then settle the reservation to the usage reported
 * (a failed call keeps only what it cost: an answer off the schema still counts its tokens).
 * The budget is the tenant's (`steps.llm.monthlyTokenBudget`, through the step's settings) or the
 * fleet default. Everything it touches comes in as ports, so the step file is a thin adapter.
 */
export interface TokenBudgetPort {
  reserve(tenantId: TenantId, want: number, budget: number): Promise<ReserveResult>;
  settle(reservation: Reservation, usedTokens: number): Promise<void>;
}

export interface OutboundLimiterPort {
  schedule<T>(provider: string, fn: () => Promise<T>, opts?: { tokens?: number }): Promise<T>;
}

export interface LlmRuntime {
  /** Undefined when `SLUICE_LLM_PROVIDER=none`. */
  readonly provider: LlmProvider | undefined;
  readonly budgets: TokenBudgetPort;
  /** `SLUICE_LLM_MONTHLY_TOKEN_BUDGET`: the budget of a tenant whose settings name none. */
  readonly defaultMonthlyBudget: number;
  /** `SLUICE_LLM_MAX_TOKENS`: the default and the cap of a call's `maxTokens`. */
  readonly maxTokens: number;
  /** How often a running call heartbeats (default 10 s). */
  readonly heartbeatMs?: number;
}

export interface LlmCallScope {
  readonly tenantId: TenantId;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly limiter: OutboundLimiterPort;
  heartbeat(): Promise<void>;
  /** The tenant's own monthly budget (`steps.llm.monthlyTokenBudget` of its tenant document), if set. */
  readonly monthlyBudget?: number | undefined;
}

export interface LlmCall extends PromptInput {
  readonly maxTokens?: number | undefined;
  readonly temperature?: number | undefined;
}

export interface LlmCallResult {
  readonly text: string;
  readonly json?: unknown;
  readonly provider: ProviderName;
  readonly model: string;
  readonly usage: TokenUsage;
  readonly stopReason: StopReason;
  /** Characters of document text left out to fit the model's context (0: the whole document). */
  readonly documentCharsDropped: number;
}

/** Thrown for input the step's schema cannot express (a JSON schema that cannot be used). */
export class LlmInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LlmInputError";
  }
}

export async function runLlm(
  call: LlmCall,
  document: string | undefined,
  runtime: LlmRuntime,
  scope: LlmCallScope,
): Promise<LlmCallResult> {
  const provider = runtime.provider;
  if (provider === undefined) {
    throw new LlmError(
      "not_configured",
      "no LLM provider is configured (SLUICE_LLM_PROVIDER=none); set it to bedrock, openai or local",
    );
  }
  // A call may ask for less than the fleet's cap, never more: a longer ask is cut to the cap.
  const maxTokens = Math.min(call.maxTokens ?? runtime.maxTokens, runtime.maxTokens);
  if (call.schema !== undefined) {
    const compiled = compileSchema(call.schema);
    if (!compiled.ok) throw new LlmInputError(compiled.reason);
  }
  const built = buildPrompt(call, document, { maxTokens, contextTokens: provider.contextTokens });
  const want = reservationFor(built.messages, maxTokens);

  const budget = scope.monthlyBudget ?? runtime.defaultMonthlyBudget;
  const reserved = await runtime.budgets.reserve(scope.tenantId, want, budget);
  if (!reserved.ok) {
    throw new LlmError(
      "budget_exceeded",
      `tenant ${scope.tenantId} has used ${reserved.used} of its ${reserved.budget} LLM tokens for ${reserved.month}; this call may need ${want}`,
    );
  }

  let result: LlmResult;
  const beat = setInterval(
    () => void scope.heartbeat().catch(() => undefined),
    runtime.heartbeatMs ?? 10_000,
  );
  try {
    result = await scope.limiter.schedule(
      `llm:${provider.name}`,
      () =>
        provider.chat({
          messages: built.messages,
          maxTokens,
          ...(call.schema !== undefined ? { schema: call.schema } : {}),
          ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
          signal: scope.signal,
        }),
      { tokens: want },
    );
  } catch (err) {
    const cost = err instanceof LlmError && err.usage !== undefined ? err.usage.totalTokens : 0;
    await runtime.budgets
      .settle(reserved.reservation, cost)
      .catch((settleErr: unknown) =>
        scope.log.warn({ err: settleErr, reservation: reserved.reservation }, "llm reservation not settled"),
      );
    throw err;
  } finally {
    clearInterval(beat);
  }
  await runtime.budgets.settle(reserved.reservation, result.usage.totalTokens);
  scope.log.info(
    {
      provider: provider.name,
      model: result.model,
      usage: result.usage,
      reserved: want,
      stopReason: result.stopReason,
      documentCharsDropped: built.documentCharsDropped,
    },
    "llm call done",
  );
  return {
    text: result.text,
    ...("json" in result ? { json: result.json } : {}),
    provider: provider.name,
    model: result.model,
    usage: result.usage,
    stopReason: result.stopReason,
    documentCharsDropped: built.documentCharsDropped,
  };
}
