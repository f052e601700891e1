import type { TokenUsage } from "./types.ts";

/**
 * Every failure of an LLM call is an `LlmError` with a closed `code`. The code decides, exhaustively,
 * the Step Functions error name a workflow's Retry/Catch matches and whether retrying can help: a
 * throttled or unavailable provider is worth a Retry with backoff, a rejected request is not.
 */
export const LLM_ERROR_CODES = [
  "not_configured",
  "budget_exceeded",
  "throttled",
  "unavailable",
  "timeout",
  "rejected",
  "bad_response",
  "bad_output",
  "install_failed",
] as const;
export type LlmErrorCode = (typeof LLM_ERROR_CODES)[number];

const TABLE: { readonly [C in LlmErrorCode]: { readonly name: string; readonly retryable: boolean } } = {
  not_configured: { name: "Sluice.LlmNotConfigured", retryable: false },
  budget_exceeded: { name: "Sluice.TokenBudgetExceeded", retryable: false },
  throttled: { name: "Sluice.LlmThrottled", retryable: true },
  unavailable: { name: "Sluice.LlmUnavailable", retryable: true },
  timeout: { name: "Sluice.LlmTimeout", retryable: true },
  rejected: { name: "Sluice.LlmRequestRejected", retryable: false },
  bad_response: { name: "Sluice.LlmBadResponse", retryable: true },
  bad_output: { name: "Sluice.LlmOutputInvalid", retryable: true },
  install_failed: { name: "Sluice.LlmInstallFailed", retryable: false },
};

/** The Step Functions error name of a code (what `Retry`/`Catch` `ErrorEquals` lists). */
export function llmErrorName(code: LlmErrorCode): string {
  return TABLE[code].name;
}

export function isRetryableLlmCode(code: LlmErrorCode): boolean {
  return TABLE[code].retryable;
}

export class LlmError extends Error {
  readonly code: LlmErrorCode;
  readonly retryable: boolean;
  readonly httpStatus: number | undefined;
  /** Tokens the provider reported for a call that failed after answering (an answer off the schema). */
  readonly usage: TokenUsage | undefined;

  constructor(
    code: LlmErrorCode,
    message: string,
    opts: { cause?: unknown; httpStatus?: number; usage?: TokenUsage } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "LlmError";
    this.code = code;
    this.retryable = TABLE[code].retryable;
    this.httpStatus = opts.httpStatus;
    this.usage = opts.usage;
  }
}

/** The code for an HTTP status a provider answered with (not 2xx). */
export function codeForStatus(status: number): LlmErrorCode {
  if (status === 429) return "throttled";
  if (status === 408 || status === 504) return "timeout";
  if (status >= 500) return "unavailable";
  return "rejected";
}

/** An error thrown around a provider call (fetch, SDK, abort) as an `LlmError`. */
export function asLlmError(err: unknown, provider: string, signal?: AbortSignal): LlmError {
  if (err instanceof LlmError) return err;
  const e = err as { name?: unknown; message?: unknown; code?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(err);
  if (e?.name === "TimeoutError") return new LlmError("timeout", `${provider}: ${message}`, { cause: err });
  if (e?.name === "AbortError" || signal?.aborted) {
    return new LlmError("timeout", `${provider}: aborted (${message})`, { cause: err });
  }
  return new LlmError("unavailable", `${provider}: ${message}`, { cause: err });
}
