/**
 * Errors raised while interpreting a state machine. Every runtime failure inside the engine is an
 * `AslError` carrying a Step Functions error name (`States.*` or a user/task error name) and a cause.
 * The engine catches these per state and routes them through Retry/Catch; nothing else escapes a
 * transition.
 */
export const STATES_ERRORS = [
  "States.ALL",
  "States.Runtime",
  "States.TaskFailed",
  "States.Timeout",
  "States.HeartbeatTimeout",
  "States.Permissions",
  "States.DataLimitExceeded",
  "States.QueryEvaluationError",
  "States.IntrinsicFailure",
  "States.ResultPathMatchFailure",
  "States.ParameterPathFailure",
  "States.NoChoiceMatched",
  "States.BranchFailed",
  "States.ExceedToleratedFailureThreshold",
  "States.ItemReaderFailed",
  "States.ResultWriterFailed",
] as const;

export type StatesErrorName = (typeof STATES_ERRORS)[number];

export class AslError extends Error {
  /** The Step Functions error name, e.g. `States.Runtime` or a Fail state's custom `Error`. */
  readonly error: string;
  /** The cause string as Step Functions would report it (may be undefined, as for a bare Fail). */
  override readonly cause: string | undefined;

  constructor(error: StatesErrorName | (string & {}), cause?: string) {
    super(cause ? `${error}: ${cause}` : error);
    this.name = "AslError";
    this.error = error;
    this.cause = cause;
  }
}

export const runtimeError = (cause: string): AslError => new AslError("States.Runtime", cause);
export const intrinsicError = (cause: string): AslError => new AslError("States.IntrinsicFailure", cause);
export const queryError = (cause: string): AslError => new AslError("States.QueryEvaluationError", cause);
