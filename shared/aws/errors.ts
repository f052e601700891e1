/**
 * Every failure an AWS adapter reports is an `AwsAdapterError` with a closed `code`; whether it is
 * worth retrying belongs to the code (mapped exhaustively below), not to the caller's guess.
 * The SDK has already retried transient faults (standard retry mode) before one of these surfaces.
 */
export const AWS_ERROR_CODES = [
  "NotFound",
  "AlreadyExists",
  "Conflict",
  "InvalidInput",
  "TooLarge",
  "Throttled",
  "AccessDenied",
  "Unavailable",
  "Aborted",
  "Unknown",
] as const;

export type AwsErrorCode = (typeof AWS_ERROR_CODES)[number];
export type AwsService = "sqs" | "s3" | "sfn";

const RETRYABLE: { readonly [C in AwsErrorCode]: boolean } = {
  NotFound: false,
  AlreadyExists: false,
  Conflict: false,
  InvalidInput: false,
  TooLarge: false,
  Throttled: true,
  AccessDenied: false,
  Unavailable: true,
  Aborted: false,
  Unknown: true,
};

export function isRetryableCode(code: AwsErrorCode): boolean {
  return RETRYABLE[code];
}

export class AwsAdapterError extends Error {
  readonly service: AwsService;
  readonly code: AwsErrorCode;
  readonly retryable: boolean;
  /** The SDK's error name (e.g. `QueueDoesNotExist`), kept for logs. */
  readonly awsName: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(
    service: AwsService,
    code: AwsErrorCode,
    message: string,
    opts: { cause?: unknown; awsName?: string; httpStatus?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "AwsAdapterError";
    this.service = service;
    this.code = code;
    this.retryable = RETRYABLE[code];
    this.awsName = opts.awsName;
    this.httpStatus = opts.httpStatus;
  }
}

const BY_NAME: Readonly<Record<string, AwsErrorCode>> = {
  // not found
  QueueDoesNotExist: "NotFound",
  "AWS.SimpleQueueService.NonExistentQueue": "NotFound",
  NoSuchKey: "NotFound",
  NoSuchBucket: "NotFound",
  NotFound: "NotFound",
  StateMachineDoesNotExist: "NotFound",
  ExecutionDoesNotExist: "NotFound",
  MessageNotInflight: "NotFound",
  ResourceNotFound: "NotFound",
  // exists
  BucketAlreadyOwnedByYou: "AlreadyExists",
  StateMachineAlreadyExists: "AlreadyExists",
  ExecutionAlreadyExists: "AlreadyExists",
  QueueNameExists: "Conflict",
  QueueAlreadyExists: "Conflict",
  BucketAlreadyExists: "Conflict",
  PreconditionFailed: "Conflict",
  QueueDeletedRecently: "Conflict",
  // bad input
  InvalidParameterValue: "InvalidInput",
  InvalidMessageContents: "InvalidInput",
  InvalidAttributeName: "InvalidInput",
  InvalidAttributeValue: "InvalidInput",
  MissingParameter: "InvalidInput",
  ReceiptHandleIsInvalid: "InvalidInput",
  InvalidIdFormat: "InvalidInput",
  BatchEntryIdsNotDistinct: "InvalidInput",
  EmptyBatchRequest: "InvalidInput",
  TooManyEntriesInBatchRequest: "InvalidInput",
  InvalidBatchEntryId: "InvalidInput",
  InvalidAddress: "InvalidInput",
  InvalidDefinition: "InvalidInput",
  InvalidArn: "InvalidInput",
  InvalidName: "InvalidInput",
  InvalidExecutionInput: "InvalidInput",
  ValidationException: "InvalidInput",
  InvalidBucketName: "InvalidInput",
  InvalidArgument: "InvalidInput",
  // too large
  BatchRequestTooLong: "TooLarge",
  EntityTooLarge: "TooLarge",
  // throttling
  Throttling: "Throttled",
  ThrottlingException: "Throttled",
  RequestThrottled: "Throttled",
  SlowDown: "Throttled",
  TooManyRequestsException: "Throttled",
  RequestLimitExceeded: "Throttled",
  OverLimit: "Throttled",
  // access
  AccessDenied: "AccessDenied",
  AccessDeniedException: "AccessDenied",
  InvalidAccessKeyId: "AccessDenied",
  SignatureDoesNotMatch: "AccessDenied",
  UnrecognizedClientException: "AccessDenied",
  InvalidClientTokenId: "AccessDenied",
  ExpiredToken: "AccessDenied",
  // service trouble
  ServiceUnavailable: "Unavailable",
  InternalError: "Unavailable",
  InternalFailure: "Unavailable",
  RequestTimeout: "Unavailable",
  TimeoutError: "Unavailable",
  // cancelled
  AbortError: "Aborted",
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);

interface SdkLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: "client" | "server";
}

/** Classifies any SDK error name (also per-entry batch failure codes) into a code. */
export function codeForAwsName(name: string | undefined, httpStatus?: number): AwsErrorCode {
  if (name !== undefined) {
    const hit = BY_NAME[name] ?? BY_NAME[name.replace(/^AWS\.SimpleQueueService\./, "")];
    if (hit) return hit;
    if (NETWORK_CODES.has(name)) return "Unavailable";
  }
  if (httpStatus === undefined) return "Unknown";
  if (httpStatus === 404) return "NotFound";
  if (httpStatus === 409 || httpStatus === 412) return "Conflict";
  if (httpStatus === 413) return "TooLarge";
  if (httpStatus === 429) return "Throttled";
  if (httpStatus === 401 || httpStatus === 403) return "AccessDenied";
  if (httpStatus >= 500) return "Unavailable";
  if (httpStatus >= 400) return "InvalidInput";
  return "Unknown";
}

/** Wraps anything thrown by an SDK call into an `AwsAdapterError` (returned as is if it already is one). */
export function toAwsError(service: AwsService, err: unknown, context: string): AwsAdapterError {
  if (err instanceof AwsAdapterError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as SdkLikeError;
  const httpStatus = e.$metadata?.httpStatusCode;
  const awsName = e.Code ?? (e.name && e.name !== "Error" ? e.name : undefined) ?? e.code;
  let code = codeForAwsName(awsName, httpStatus);
  if (code === "Unknown" && e.code && NETWORK_CODES.has(e.code)) code = "Unavailable";
  if (code === "Unknown" && e.$fault === "client") code = "InvalidInput";
  const detail = e.message ?? String(err);
  return new AwsAdapterError(service, code, `${service} ${context}: ${awsName ?? "error"}: ${detail}`, {
    cause: err,
    ...(awsName !== undefined ? { awsName } : {}),
    ...(httpStatus !== undefined ? { httpStatus } : {}),
  });
}

/** True for errors the SDK or the network raise (as opposed to programming errors, left as they are). */
export function isSdkError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as SdkLikeError;
  return (
    e.$metadata !== undefined ||
    e.$fault !== undefined ||
    (e.name !== undefined && e.name in BY_NAME) ||
    (e.code !== undefined && NETWORK_CODES.has(e.code))
  );
}

/** Runs one SDK call, converting SDK and network failures; other errors propagate unchanged. */
export async function awsCall<T>(service: AwsService, context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw isSdkError(err) ? toAwsError(service, err, context) : err;
  }
}

export function isAwsError(err: unknown, code?: AwsErrorCode): err is AwsAdapterError {
  return err instanceof AwsAdapterError && (code === undefined || err.code === code);
}
