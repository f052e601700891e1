/**
 * How every error is logged: `{ type, name, code, codeName, message, errorLabels, stack, cause }`
 * plus the error's own scalar fields, never its object graph. Driver errors (MongoDB's carry a
 * topology description whose servers point back at it) made pino's serializer give up with
 * `[unable to serialize, circular reference…]`, hiding even the message (issue 9 bug B). Nested
 * errors (`cause`, `AggregateError.errors`, a MongoDB selection error's per-server errors) are
 * serialized the same way, to a bounded depth.
 */
export interface SerializedError {
  readonly type: string;
  readonly name: string;
  readonly message: string;
  readonly code?: string | number;
  readonly codeName?: string;
  readonly errorLabels?: readonly string[];
  readonly stack?: string;
  readonly cause?: SerializedError;
  readonly errors?: readonly SerializedError[];
  readonly servers?: readonly { address: string; error?: SerializedError }[];
  readonly [field: string]: unknown;
}

const MAX_DEPTH = 3;
const MAX_NESTED = 5;
const MAX_FIELDS = 20;
const MAX_STRING = 4000;
const SKIP = new Set(["name", "message", "stack", "code", "codeName", "cause", "errors", "errorLabelSet"]);

const clip = (s: string) => (s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…` : s);

/** Reads a property without letting a throwing getter escape. */
function read(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function isErrorLike(v: unknown): v is object {
  return (
    v instanceof Error || (typeof v === "object" && v !== null && typeof read(v, "message") === "string")
  );
}

/** A plain, JSON-safe description of `err` (anything thrown, Error or not). */
export function serializeError(err: unknown, depth = 0): SerializedError {
  if (!isErrorLike(err)) {
    return { type: typeof err, name: "NonError", message: clip(safeString(err)) };
  }
  const ctorName = (err as { constructor?: { name?: unknown } }).constructor?.name;
  const type = typeof ctorName === "string" && ctorName !== "" ? ctorName : "Error";
  const name = read(err, "name");
  const out: Record<string, unknown> = {
    type,
    name: typeof name === "string" ? name : type,
    message: clip(safeString(read(err, "message"))),
  };
  const code = read(err, "code");
  if (typeof code === "string" || typeof code === "number") out.code = code;
  const codeName = read(err, "codeName");
  if (typeof codeName === "string") out.codeName = codeName;
  const labels = errorLabels(err);
  if (labels.length > 0) out.errorLabels = labels;
  const stack = read(err, "stack");
  if (typeof stack === "string") out.stack = clip(stack);
  let fields = 0;
  for (const key of Object.keys(err)) {
    if (SKIP.has(key) || key in out || fields >= MAX_FIELDS) continue;
    const v = read(err, key);
    if (typeof v === "string") out[key] = clip(v);
    else if (typeof v === "number" || typeof v === "boolean") out[key] = v;
    else continue;
    fields += 1;
  }
  if (depth < MAX_DEPTH) {
    const cause = read(err, "cause");
    if (cause !== undefined && cause !== err) out.cause = serializeError(cause, depth + 1);
    const errors = read(err, "errors");
    if (Array.isArray(errors) && errors.length > 0) {
      out.errors = errors.slice(0, MAX_NESTED).map((e) => serializeError(e, depth + 1));
    }
    const servers = selectionServers(read(err, "reason"), depth);
    if (servers.length > 0) out.servers = servers;
  }
  return out as SerializedError;
}

function errorLabels(err: object): string[] {
  const set = read(err, "errorLabelSet");
  if (set instanceof Set) return [...set].filter((l): l is string => typeof l === "string");
  const labels = read(err, "errorLabels");
  return Array.isArray(labels) ? labels.filter((l): l is string => typeof l === "string") : [];
}

/** A server selection error's `reason` (a topology description): each server's address and error. */
function selectionServers(reason: unknown, depth: number): { address: string; error?: SerializedError }[] {
  if (typeof reason !== "object" || reason === null) return [];
  const servers = read(reason, "servers");
  if (!(servers instanceof Map)) return [];
  const out: { address: string; error?: SerializedError }[] = [];
  for (const [address, server] of servers) {
    if (out.length >= MAX_NESTED) break;
    const error = typeof server === "object" && server !== null ? read(server, "error") : undefined;
    out.push({
      address: String(address),
      ...(error !== undefined && error !== null ? { error: serializeError(error, depth + 1) } : {}),
    });
  }
  return out;
}

function safeString(v: unknown): string {
  if (typeof v === "string") return v;
  try {
    return String(v);
  } catch {
    return "[unprintable]";
  }
}
