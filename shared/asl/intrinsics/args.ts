/**
 * The shape of an intrinsic function and the argument checks they share. Every check failure is a
 * States.IntrinsicFailure whose cause names the function, as Step Functions does.
 */
import type { AslError } from "../errors.ts";
import { intrinsicError } from "../errors.ts";
import { isPlainObject, toJson } from "../path/json.ts";
import type { JsonObject } from "../path/json.ts";
import type { PayloadDeps } from "../payload.ts";

export interface IntrinsicFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  /**
   * `raw[i]` is the source text of argument i when it is a string literal (escapes intact), so
   * States.Format can tell an escaped `\{` from a placeholder.
   */
  run(args: readonly unknown[], deps: PayloadDeps, raw: readonly (string | undefined)[]): unknown;
}

export type JsonType = "string" | "number" | "boolean" | "null" | "array" | "object";

export function jsonType(value: unknown): JsonType {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  const t = typeof value;
  return t === "string" || t === "number" || t === "boolean" ? t : "object";
}

export function invalidArgs(fn: string, detail: string): AslError {
  return intrinsicError(`Invalid arguments in ${fn}: ${detail}`);
}

function wrongType(fn: string, index: number, expected: string, value: unknown): AslError {
  return invalidArgs(
    fn,
    `argument ${index + 1} must be ${expected}, but was ${jsonType(value)}: ${toJson(value)}`,
  );
}

export function stringArg(fn: string, args: readonly unknown[], i: number): string {
  const v = args[i];
  if (typeof v !== "string") throw wrongType(fn, i, "a string", v);
  return v;
}

export function arrayArg(fn: string, args: readonly unknown[], i: number): readonly unknown[] {
  const v = args[i];
  if (!Array.isArray(v)) throw wrongType(fn, i, "an array", v);
  return v as readonly unknown[];
}

export function objectArg(fn: string, args: readonly unknown[], i: number): JsonObject {
  const v = args[i];
  if (!isPlainObject(v)) throw wrongType(fn, i, "a JSON object", v);
  return v;
}

export function booleanArg(fn: string, args: readonly unknown[], i: number): boolean {
  const v = args[i];
  if (typeof v !== "boolean") throw wrongType(fn, i, "a boolean", v);
  return v;
}

export function numberArg(fn: string, args: readonly unknown[], i: number): number {
  const v = args[i];
  if (typeof v !== "number" || !Number.isFinite(v)) throw wrongType(fn, i, "a number", v);
  return v;
}

export function integerArg(fn: string, args: readonly unknown[], i: number): number {
  const v = args[i];
  if (typeof v !== "number" || !Number.isInteger(v)) throw wrongType(fn, i, "an integer", v);
  return v;
}

/** Reject strings longer than AWS's per-argument limit for encode/decode/hash. */
export function checkMaxLength(fn: string, value: string, max: number): void {
  if (value.length > max) throw invalidArgs(fn, `the input string exceeds the maximum of ${max} characters`);
}
