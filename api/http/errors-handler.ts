/**
 * Every error leaves as `{error: {code, message, details}}` with a documented code: an `ApiError` as
 * thrown; Fastify's own refusals mapped (body too large → 413 `payload_too_large`, unparsable or
 * empty JSON → 400 `invalid_json`, another content type → 415); an unknown route → 404 `not_found`;
 * anything else → 500 `internal`, logged with its name, code and message, its stack never returned.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isMongoConnectivityError } from "../../shared/mongo/reachability.ts";
import { isAwsError } from "../../shared/aws/errors.ts";
import { ApiError, ERROR_CODES, errorBody, type ErrorCode } from "../errors.ts";

export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const documented = asDocumented(err);
  if (documented !== undefined) return documented;
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError(413, "payload_too_large", "the request body is larger than the API accepts");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new ApiError(400, "invalid_json", "the request body is not valid JSON");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError(400, "invalid_json", "the request body is empty but its content type is JSON");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(415, "unsupported_media_type", "request bodies must be application/json");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new ApiError(400, "invalid_request", "the body's length does not match its Content-Length");
  }
  if (
    isMongoConnectivityError(err) ||
    (isAwsError(err) && (err.code === "Unavailable" || err.code === "Throttled"))
  ) {
    return new ApiError(
      503,
      "unavailable",
      "a dependency could not be reached; retry later",
      {},
      { "retry-after": "1" },
    );
  }
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (
    typeof status === "number" &&
    status >= 400 &&
    status < 500 &&
    typeof code === "string" &&
    code.startsWith("FST_")
  ) {
    return status === 404
      ? new ApiError(404, "not_found", "no such route")
      : new ApiError(400, "invalid_request", (err as Error).message);
  }
  return undefined;
}

/**
 * An error of another module that carries a documented `code` with its documented `status` (the job
 * operations' `JobsApiError`): rendered as that code. Anything else with a `code` is not trusted.
 */
function asDocumented(err: unknown): ApiError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { status, code, details } = err as { status?: unknown; code?: unknown; details?: unknown };
  if (typeof code !== "string" || typeof status !== "number" || !Object.hasOwn(ERROR_CODES, code))
    return undefined;
  if (ERROR_CODES[code as ErrorCode].status !== status) return undefined;
  const d =
    typeof details === "object" && details !== null ? (details as Record<string, unknown>) : undefined;
  return new ApiError(
    status,
    code as ErrorCode,
    err.message,
    d,
    (err as { headers?: Record<string, string> }).headers ?? {},
  );
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = toApiError(err);
    if (known !== undefined) {
      if (known.status >= 500) request.log.warn({ err, code: known.code }, "dependency unavailable");
      return reply.code(known.status).headers(known.headers).send(errorBody(known));
    }
    request.log.error({ err, method: request.method, url: request.url }, "unexpected error");
    const internal = new ApiError(500, "internal", "internal error", { requestId: request.id });
    return reply.code(500).send(errorBody(internal));
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const err = new ApiError(
      404,
      "not_found",
      `no route ${request.method} ${request.url.split("?")[0] ?? ""}`,
    );
    return reply.code(404).send(errorBody(err));
  });
}
