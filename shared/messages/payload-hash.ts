import { createHash } from "node:crypto";

/**
 * The hash of what an intake message asks for — its workflow and its input (inline JSON or the S3
 * key of `inputRef`) — kept on the job it creates (`payloadHash`). A second message with the same
 * idempotency key is a duplicate when its hash is the same and a conflict when it differs.
 *
 * Inline input is hashed as canonical JSON (object keys sorted at every level), so the same object
 * written with its keys in another order is the same payload. `priority` is not part of it: it
 * orders work, it does not change what the job does. Callers bound the input's depth first
 * (`MAX_INPUT_DEPTH`), so the recursion here is shallow.
 */
export function payloadHash(request: {
  readonly workflow: string;
  readonly input?: unknown;
  readonly inputRef?: { readonly key: string } | undefined;
}): string {
  const what =
    request.inputRef !== undefined
      ? { workflow: request.workflow, inputRef: request.inputRef.key }
      : { workflow: request.workflow, input: request.input ?? {} };
  return `sha256:${createHash("sha256").update(canonicalJson(what)).digest("hex")}`;
}

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
