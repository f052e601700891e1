/**
 * The API's error model: every error leaves the service as JSON `{error: {code, message, details}}`
 * with an HTTP status and a stable `code` from the table below (also in the README and the OpenAPI
 * document). Codes never change meaning; new ones are added here (a unit test checks that every code
 * the API throws is in the table and documented).
 */
import { z } from "zod";

export interface ErrorCodeDoc {
  readonly status: number;
  readonly description: string;
}

/** The documented, stable error codes. Route modules add their own here (one table for the API). */
export const ERROR_CODES = {
  invalid_request: {
    status: 400,
    description:
      "Parameters, query, headers or body failed validation; `details.issues` lists each problem with its path.",
  },
  invalid_json: {
    status: 400,
    description: "The body is not valid JSON (or is empty with a JSON content type).",
  },
  missing_token: {
    status: 401,
    description: "No `Authorization: Bearer <token>` header, or one that is not a bearer token.",
  },
  invalid_token: {
    status: 401,
    description:
      "The token is malformed, forged (signature), from another issuer or audience, of the wrong `token_use`, signed with a refused algorithm, not yet valid, or has no valid tenant claim; `details.reason` says which.",
  },
  token_expired: { status: 401, description: "The token's `exp` is past (beyond the allowed clock skew)." },
  insufficient_scope: {
    status: 403,
    description: "The token lacks the scope the operation needs; `details.required` names it.",
  },
  tenant_unknown: { status: 403, description: "The token's tenant has no (valid) tenant document." },
  tenant_suspended: {
    status: 403,
    description: "The token's tenant is suspended; `details.reason` is the operator's reason.",
  },
  not_found: { status: 404, description: "No such route (or no such resource of this tenant)." },
  // The job operations' codes (api/jobs/): another tenant's job answers exactly like a missing one.
  job_not_found: {
    status: 404,
    description: "No such job for this tenant (another tenant's job id answers the same).",
  },
  idempotency_key_required: {
    status: 400,
    description: "`POST /v1/jobs` needs an `Idempotency-Key` header.",
  },
  invalid_idempotency_key: {
    status: 400,
    description: "The `Idempotency-Key` header is too long or malformed.",
  },
  invalid_cursor: { status: 400, description: "The list cursor is not one this API gave out." },
  idempotency_conflict: {
    status: 409,
    description:
      "The `Idempotency-Key` was used for another workflow or input; `details.jobId` is the job it created.",
  },
  invalid_state: {
    status: 409,
    description: "The job's status does not allow the operation (e.g. cancelling a complete job).",
  },
  contended: { status: 409, description: "The job changed concurrently too many times; retry." },
  operation_refused: { status: 409, description: "The operation was refused; `details.reason` says why." },
  upload_too_large: { status: 413, description: "The upload asked for is larger than the upload limit." },
  input_too_large: {
    status: 413,
    description: "The job's input is over the inline or uploaded input limit.",
  },
  unknown_workflow: { status: 422, description: "No workflow of that name." },
  invalid_workflow: { status: 422, description: "The workflow exists but is invalid (it cannot run)." },
  input_not_found: { status: 422, description: "The `inputRef` names no object this tenant uploaded." },
  queue_full: {
    status: 429,
    description: "The tenant has `maxQueued` jobs waiting already; retry when some have started.",
  },
  tenant_at_capacity: {
    status: 429,
    description: "A retry would exceed the tenant's running cap or daily quota; retry when a job finishes.",
  },
  payload_too_large: {
    status: 413,
    description: "The body is larger than the API's body limit (`SLUICE_API_BODY_LIMIT_BYTES`).",
  },
  unsupported_media_type: {
    status: 415,
    description: "A body whose content type is not `application/json`.",
  },
  rate_limited: {
    status: 429,
    description:
      "The tenant's API rate (its tenant document's `api` section, or the default) is used up; retry after the `Retry-After` header's seconds.",
  },
  internal: {
    status: 500,
    description: "An unexpected error; logged with its name, code and message (never returned).",
  },
  conflict: {
    status: 409,
    description:
      "Operators: the resource kept changing concurrently (e.g. a tenant document edited at the same time); read it again and retry.",
  },
  unavailable: {
    status: 503,
    description: "A dependency (MongoDB, SQS, the JWKS endpoint) could not be reached; retry later.",
  },
  not_ready: {
    status: 503,
    description: "`/readyz`: a dependency is not reachable yet; `details` lists the checks.",
  },
} as const satisfies Record<string, ErrorCodeDoc>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error a handler (or the edge) throws to answer with `status` and a documented `code`. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    if (ERROR_CODES[code].status !== status) {
      throw new Error(`ApiError ${code} must have status ${ERROR_CODES[code].status}, got ${status}`);
    }
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({
    description: "Every error response: a stable code, a message and details (an empty object when none).",
  });

export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export function errorBody(err: ApiError): ErrorBody {
  return {
    error: { code: err.code, message: err.message, details: err.details ?? {} },
  };
}

/** The error codes as a Markdown table (embedded in the README and the OpenAPI description). */
export function errorCodesMarkdown(): string {
  const esc = (t: string) => t.replace(/\|/g, "\\|");
  return [
    "| Status | Code | Meaning |",
    "| --- | --- | --- |",
    ...Object.entries(ERROR_CODES).map(
      ([code, d]) => `| ${d.status} | \`${code}\` | ${esc(d.description)} |`,
    ),
  ].join("\n");
}
