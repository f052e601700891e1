/**
 * Number-valued fields that may be a literal, a `...Path` reference or a JSONata expression
 * (`MaxConcurrency`, `ToleratedFailureCount`, `TimeoutSeconds`, ...), resolved with AWS's checks.
 */
import { queryError, runtimeError } from "../errors.ts";
import { evaluatePath } from "../path/jsonpath.ts";
import type { NumberField } from "./compiled.ts";
import type { Turn } from "./turn.ts";

const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

/** Raw value of the field: literal, path result or JSONata result. */
export function fieldValue(t: Turn, field: NumberField, input: unknown): unknown {
  if (field.literal !== undefined) return field.literal;
  if (field.path !== undefined) return evaluatePath(field.path, t.pathCtx(input));
  return field.jsonata!(t.states(), t.vars);
}

/**
 * A non-negative integer field. Path values may be integers or integer strings (AWS parses
 * them); anything else is States.Runtime (JSONPath) or States.QueryEvaluationError (JSONata).
 */
export function resolveInteger(
  t: Turn,
  field: NumberField | undefined,
  input: unknown,
  name: string,
): number | undefined {
  if (!field) return undefined;
  const value = fieldValue(t, field, input);
  let n: number | undefined;
  if (typeof value === "number" && Number.isInteger(value)) n = value;
  else if (typeof value === "string" && /^-?\d+$/.test(value.trim())) n = Number(value.trim());
  if (n === undefined) {
    if (field.path !== undefined) {
      throw runtimeError(
        `The ${name}Path field refers to value "${show(value)}" which is not a valid integer: ${field.path}`,
      );
    }
    throw queryError(
      `The JSONata expression '${field.source ?? ""}' specified for the field '${name}' returned a value that is not a valid integer: ${show(value)}`,
    );
  }
  if (n < 0) throw runtimeError(`${name} cannot be negative.`);
  return n;
}

/** A percentage field (0..100, may be fractional). */
export function resolvePercentage(
  t: Turn,
  field: NumberField | undefined,
  input: unknown,
  name: string,
): number | undefined {
  if (!field) return undefined;
  const value = fieldValue(t, field, input);
  let n: number | undefined;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)))
    n = Number(value);
  if (n === undefined) {
    if (field.path !== undefined) {
      throw runtimeError(
        `The ${name}Path field refers to value "${show(value)}" which is not a valid number: ${field.path}`,
      );
    }
    throw queryError(
      `The JSONata expression '${field.source ?? ""}' specified for the field '${name}' returned a value that is not a valid number: ${show(value)}`,
    );
  }
  if (n < 0 || n > 100) throw runtimeError(`${name} must be between 0 and 100.`);
  return n;
}
