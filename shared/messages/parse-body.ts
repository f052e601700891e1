import type { z } from "zod";

export type BodyParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Parses an SQS message body as JSON and validates it with `schema`. Never throws: a malformed body
 * or a schema failure comes back as one precise line naming each bad field by its path, which
 * callers attach to the dead-letter copy of the message.
 */
export function parseJsonBody<S extends z.ZodType>(
  body: string,
  schema: S,
  what: string,
): BodyParseResult<z.output<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: `malformed JSON: ${(err as Error).message}` };
  }
  return validateJson(raw, schema, what);
}

/** `parseJsonBody` for a value already parsed from JSON (same reasons, same wording). */
export function validateJson<S extends z.ZodType>(
  raw: unknown,
  schema: S,
  what: string,
): BodyParseResult<z.output<S>> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map(
    (i) => `${i.path.length ? i.path.join(".") : "(body)"}: ${i.message}`,
  );
  return { ok: false, reason: `invalid ${what}: ${issues.join("; ")}` };
}

/** The JSON value of a body, or undefined when it is not JSON. */
export function jsonOrUndefined(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
