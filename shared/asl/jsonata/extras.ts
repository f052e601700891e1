/**
 * The functions Step Functions adds to JSONata: `$partition`, `$range`, `$hash`, `$random`,
 * `$uuid`, `$parse`, plus `$now`/`$millis` bound to the injected clock. Randomness and time come
 * from the deps of the evaluation in progress (evaluation is synchronous, so one slot suffices).
 */
import { createHash } from "node:crypto";
import { queryError } from "../errors.ts";
import type { SyncExpression } from "./sync-jsonata.ts";

export interface JsonataDeps {
  now(): number;
  random(): number;
  uuid(): string;
}

let current: JsonataDeps | undefined;

/** Run `fn` with `deps` as the source of time and randomness for JSONata extras. */
export function withJsonataDeps<T>(deps: JsonataDeps, fn: () => T): T {
  const previous = current;
  current = deps;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

function deps(): JsonataDeps {
  if (!current) throw queryError("JSONata evaluated outside of a state");
  return current;
}

const HASH: Readonly<Record<string, string>> = {
  MD5: "md5",
  "SHA-1": "sha1",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
};

/** A JSONata sequence: a singleton collapses to its item, as JSONata does for paths. */
function sequence(items: unknown[]): unknown[] {
  Object.defineProperty(items, "sequence", { value: true, enumerable: false });
  return items;
}

function partition(array: unknown, size: unknown): unknown {
  if (!Array.isArray(array)) throw queryError("$partition: the first argument must be an array");
  if (typeof size !== "number" || !Number.isInteger(size) || size <= 0) {
    throw queryError("$partition: the chunk size must be a positive integer");
  }
  const out: unknown[][] = [];
  for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
  return out;
}

function range(start: unknown, end: unknown, step: unknown): unknown {
  if (typeof start !== "number" || typeof end !== "number" || typeof step !== "number") {
    throw queryError("$range: start, end and step must be numbers");
  }
  if (!Number.isInteger(start) || !Number.isInteger(end) || !Number.isInteger(step) || step === 0) {
    throw queryError("$range: start, end and step must be integers and step must not be 0");
  }
  const out: number[] = [];
  if (step > 0) for (let v = start; v <= end && out.length <= 1000; v += step) out.push(v);
  else for (let v = start; v >= end && out.length <= 1000; v += step) out.push(v);
  if (out.length > 1000) throw queryError("$range: the result exceeds 1000 items");
  return sequence(out);
}

function hash(data: unknown, algorithm: unknown): unknown {
  if (typeof data !== "string") throw queryError("$hash: the data to hash must be a string");
  const name = typeof algorithm === "string" ? HASH[algorithm] : undefined;
  if (!name) throw queryError(`$hash: the algorithm must be one of ${Object.keys(HASH).join(", ")}`);
  return createHash(name).update(data, "utf8").digest("hex");
}

function parse(text: unknown): unknown {
  if (typeof text !== "string") throw queryError("$parse: the argument must be a string");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw queryError(`$parse: the argument is not valid JSON: ${text}`);
  }
}

/** Register the extras on a compiled expression. */
export function registerExtras(expr: SyncExpression): void {
  expr.registerFunction("partition", partition as never, "<an:a>");
  expr.registerFunction("range", range as never, "<nnn:a>");
  expr.registerFunction("hash", hash as never, "<ss:s>");
  expr.registerFunction("random", (() => deps().random()) as never, "<n?:n>");
  expr.registerFunction("uuid", (() => deps().uuid()) as never, "<:s>");
  expr.registerFunction("parse", parse as never, "<s:x>");
  expr.registerFunction("now", (() => new Date(deps().now()).toISOString()) as never, "<s?s?:s>");
  expr.registerFunction("millis", (() => deps().now()) as never, "<:n>");
}
