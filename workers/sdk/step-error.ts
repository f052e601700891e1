/**
 * A step failure with a Step Functions error name, so Retry/Catch in the workflow can match it
 * (`"ErrorEquals": ["Sluice.CorruptDocument"]`). Anything else a step throws is reported as
 * `States.TaskFailed`. Name your own errors `<Area>.<Name>`; `Sluice.*` and `States.*` are Sluice's.
 */
const BRAND = Symbol.for("sluice.StepError");

export class StepError extends Error {
  readonly causeText: string;
  readonly [BRAND] = true;

  /**
   * By brand, not prototype: a step module may bring its own copy of this package (an example
   * project installing `sluice`), and its StepErrors must keep their names in this worker.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  constructor(
    readonly error: string,
    cause: unknown,
  ) {
    const causeText = cause instanceof Error ? cause.message : String(cause);
    super(`${error}: ${causeText}`, cause instanceof Error ? { cause } : undefined);
    this.name = "StepError";
    this.causeText = causeText;
  }
}

/** The errors the SDK itself raises (a workflow may Retry/Catch them by these names). */
export const SDK_ERRORS = {
  /** The step's input failed its `input` schema. */
  invalidInput: "Sluice.InvalidStepInput",
  /** The step's result failed its `output` schema. */
  invalidOutput: "Sluice.InvalidStepOutput",
  /** The tenant's settings for the step failed the step's `settings` schema. */
  invalidSettings: "Sluice.InvalidStepSettings",
  /** A blob key of another tenant, or a malformed key or key part. */
  forbiddenKey: "Sluice.ForbiddenKey",
  /** A blob over the read limit (the step's `maxBytes` or SLUICE_CLAIM_CHECK_MAX_READ_BYTES). */
  payloadTooLarge: "Sluice.PayloadTooLarge",
  /** A blob that does not exist. */
  blobNotFound: "Sluice.BlobNotFound",
  /** A blob read as JSON that is not JSON. */
  invalidBlob: "Sluice.InvalidBlob",
  /**
   * A dependency failed in a way worth retrying (S3 throttled or unavailable, after the AWS SDK's
   * own retries): workflows retry it with backoff (`"ErrorEquals": ["Sluice.Transient"]`).
   */
  transient: "Sluice.Transient",
} as const;
