import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerClosedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from "mongodb";

/**
 * What to do with an intake message whose release threw (pure; the caller holds the count).
 *
 * Rejections the scheduler expects (bad JSON, unknown workflow, conflicts, ...) never throw: they are
 * outcomes. A throw is either a dependency outage — MongoDB or AWS unreachable, throttled, failing
 * with a retryable error — which says nothing about the message and is retried for as long as it
 * lasts (the message keeps its place), or an unexpected error (a bug, a limit nobody checked, a
 * request SQS refuses for this message). Unexpected errors are counted per message; at
 * `MAX_UNEXPECTED_FAILURES` the message goes to the DLQ with `internal: <name>: <message>`, so every
 * message ends as a job or a dead-letter entry with a reason. Either way the message moves behind
 * the tenant's other buffered messages, so it never delays them.
 */
export const MAX_UNEXPECTED_FAILURES = 3;

export type FailureVerdict =
  | { readonly kind: "retry"; readonly failures: number; readonly outage: boolean }
  | { readonly kind: "reject"; readonly failures: number; readonly reason: string };

export function afterReleaseFailure(priorFailures: number, err: unknown): FailureVerdict {
  if (isDependencyOutage(err)) return { kind: "retry", failures: priorFailures, outage: true };
  const failures = priorFailures + 1;
  if (failures < MAX_UNEXPECTED_FAILURES) return { kind: "retry", failures, outage: false };
  return { kind: "reject", failures, reason: `internal: ${describeError(err)} (after ${failures} attempts)` };
}

/** True for errors that mean a dependency is unreachable or overloaded, not that the message is bad. */
export function isDependencyOutage(err: unknown): boolean {
  if (
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError ||
    err instanceof MongoServerClosedError
  )
    return true;
  if (
    err instanceof MongoError &&
    (err.hasErrorLabel("RetryableWriteError") || err.hasErrorLabel("ResetPool"))
  )
    return true;
  // AwsAdapterError (Throttled, Unavailable, Unknown) and the job store's CasOutcomeUnknownError.
  return typeof err === "object" && err !== null && (err as { retryable?: unknown }).retryable === true;
}

/** `<name>: <message>` (plus `code` when there is one), for a reason or a log line. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return `non-error thrown: ${String(err).slice(0, 200)}`;
  const code = (err as { code?: unknown }).code;
  return `${err.name}${code !== undefined ? ` (${String(code)})` : ""}: ${err.message}`;
}
