/**
 * JSONata-mode field values: a string `"{% expr %}"` is an expression; objects and arrays are
 * templates whose string leaves may be expressions; everything else is a literal. Compiled once
 * per state; static subtrees are returned as they are.
 */
import { AslError, queryError } from "../errors.ts";
import { compileJsonata, JsonataSyntaxError, type JsonataExpression } from "./expression.ts";

/** Evaluates a compiled field against `$states` and the visible variables. */
export type JsonataTemplate = (
  states: Record<string, unknown>,
  vars: Readonly<Record<string, unknown>>,
) => unknown;

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** The expression text inside `{% %}`, or undefined when `value` is not an expression string. */
export function expressionText(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = EXPRESSION.exec(value);
  return m ? (m[1] ?? "").trim() : undefined;
}

export function isStaticTemplate(value: unknown): boolean {
  if (typeof value === "string") return expressionText(value) === undefined;
  if (Array.isArray(value)) return value.every(isStaticTemplate);
  if (typeof value === "object" && value !== null) return Object.values(value).every(isStaticTemplate);
  return true;
}

/**
 * Compile the value of field `field` (a name like `Output`, used in error causes). Throws
 * JsonataSyntaxError (with the field in its message) when an expression does not parse.
 */
export function compileTemplate(value: unknown, field: string): JsonataTemplate {
  if (isStaticTemplate(value)) return () => value;
  const text = expressionText(value);
  if (text !== undefined) return compileLeaf(text, field);
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileTemplate(item, `${field}[${i}]`));
    return (states, vars) => items.map((item) => item(states, vars));
  }
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, child]) => [key, compileTemplate(child, `${field}/${key}`)] as const,
  );
  return (states, vars) => {
    const out: Record<string, unknown> = {};
    for (const [key, fn] of entries) out[key] = fn(states, vars);
    return out;
  };
}

function compileLeaf(text: string, field: string): JsonataTemplate {
  let expr: JsonataExpression;
  try {
    expr = compileJsonata(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new JsonataSyntaxError(
      `The JSONata expression '${text}' specified for the field '${field}' is invalid: ${message}`,
    );
  }
  return (states, vars) => {
    let result: unknown;
    try {
      result = expr.evaluate(states, vars);
    } catch (err) {
      const cause = err instanceof AslError ? err.cause : String(err);
      throw queryError(
        `The JSONata expression '${text}' specified for the field '${field}' threw an error during evaluation: ${cause ?? ""}`,
      );
    }
    if (result === undefined) {
      throw queryError(
        `The JSONata expression '${text}' specified for the field '${field}' returned nothing (undefined).`,
      );
    }
    return result;
  };
}

/** Raised when a JSONata result has the wrong type for its field (`Items`, `Seconds`, ...). */
export function unexpectedType(
  field: string,
  text: string | undefined,
  expected: string,
  value: unknown,
): AslError {
  const actual = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  const where =
    text === undefined
      ? `The field '${field}'`
      : `The JSONata expression '${text}' specified for the field '${field}'`;
  return queryError(
    `${where} returned an unexpected result type. Expected '${expected}', but was '${actual}' for value: ${JSON.stringify(value)}`,
  );
}
