import { serializeError } from "./error-serializer.ts";

/**
 * What the logger never prints. Key paths go to pino's `redact` (fast-redact: `*` matches one level,
 * so the common depths are listed); URL query strings that carry AWS signatures and passwords in
 * URLs (a MongoDB connection string's) are scrubbed from string values by `scrubText`, wherever
 * they appear.
 */
const SECRET_KEYS = [
  "password",
  "secretAccessKey",
  "sessionToken",
  "accessToken",
  "refreshToken",
  "apiKey",
  "authorization",
  "Authorization",
  "cookie",
];

const depth = (key: string) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`];

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap(depth),
  ...["headers", "*.headers", "*.*.headers"].flatMap((h) => [
    `${h}.authorization`,
    `${h}.Authorization`,
    `${h}["x-amz-security-token"]`,
    `${h}.cookie`,
  ]),
];

export const REDACTED = "[REDACTED]";

/** `https://host/path?X-Amz-Signature=…` → `https://host/path?[REDACTED]` (any signed query). */
const SIGNED_URL =
  /\b(https?:\/\/[^\s?#"'<>]+)\?[^\s#"'<>]*(?:X-Amz-|Signature=|AWSAccessKeyId=|sig=)[^\s#"'<>]*/gi;

export function scrubSignedUrls(text: string): string {
  return text.includes("?") ? text.replace(SIGNED_URL, `$1?${REDACTED}`) : text;
}

/**
 * The password of any `scheme://user:password@host` (a MongoDB connection string above all; the
 * password may hold a raw `@` or `:`): `mongodb://user:[REDACTED]@host`. The user name stays, for
 * the operator who must tell which account was used.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:"'<>]*):[^\s/?#"'<>]*@/gi;
/** Connection-string options that carry secrets (MongoDB's AWS session token, key file passwords). */
const SECRET_URL_OPTION =
  /([?&](?:password|pwd|secret|token|sessionToken|authMechanismProperties|tlsCertificateKeyFilePassword|sslPEMKeyPassword)=)[^&\s#"'<>]*/gi;

/** `mongodb://u:secret@h/?authMechanismProperties=AWS_SESSION_TOKEN:x` → no secret left. */
export function scrubUrlCredentials(text: string): string {
  if (!text.includes("://") && !text.includes("=")) return text;
  return text.replace(URL_PASSWORD, `$1$2:${REDACTED}@`).replace(SECRET_URL_OPTION, `$1${REDACTED}`);
}

/** Every secret a string can carry in a URL: passwords, secret options, signed query strings. */
export function scrubText(text: string): string {
  return scrubSignedUrls(scrubUrlCredentials(text));
}

/**
 * Deep copy of `value` with secrets scrubbed from every string (`scrubText`) and every error, at any
 * depth and under any key, replaced by its `serializeError` form; shares unchanged subtrees.
 */
export function scrubValue(value: unknown, depthLeft = 6): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value instanceof Error) return scrubValue(serializeError(value), 4);
  if (depthLeft === 0 || value === null || typeof value !== "object") return value;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const s = scrubValue(v, depthLeft - 1);
      if (s !== v) changed = true;
      return s;
    });
    return changed ? out : value;
  }
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const s = scrubValue(v, depthLeft - 1);
    if (s !== v) {
      out ??= { ...(value as Record<string, unknown>) };
      out[k] = s;
    }
  }
  return out ?? value;
}
