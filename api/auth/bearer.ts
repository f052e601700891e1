import { ApiError } from "../errors.ts";

const CHALLENGE = 'Bearer realm="sluice"';

/** `WWW-Authenticate` for a 401 (RFC 6750): the scheme, plus the error when a token was presented. */
export function challenge(error?: "invalid_token"): Record<string, string> {
  return { "www-authenticate": error === undefined ? CHALLENGE : `${CHALLENGE}, error="${error}"` };
}

/** The bearer token of an `Authorization` header; missing_token when there is none. */
export function bearerToken(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value === undefined ? null : /^Bearer[ ]+(\S+)[ ]*$/i.exec(value);
  if (m === null || m[1] === undefined) {
    throw new ApiError(
      401,
      "missing_token",
      "an Authorization: Bearer <token> header is required",
      {},
      challenge(),
    );
  }
  return m[1];
}
