/**
 * One compiled JSONata expression (the text between `{%` and `%}`), evaluated synchronously with
 * the Step Functions bindings (`$states`, variables, extras). Errors become
 * `States.QueryEvaluationError` with AWS's wording; results are normalized to plain JSON.
 */
import { AslError, queryError } from "../errors.ts";
import { registerExtras } from "./extras.ts";
import { syncJsonata, type SyncExpression } from "./sync-jsonata.ts";

export interface JsonataExpression {
  readonly source: string;
  evaluate(states: Record<string, unknown>, variables: Readonly<Record<string, unknown>>): unknown;
}

export class JsonataSyntaxError extends Error {}

/** Compile `source`; throws JsonataSyntaxError with jsonata's message when it does not parse. */
export function compileJsonata(source: string): JsonataExpression {
  let expr: SyncExpression;
  try {
    expr = syncJsonata()(source);
  } catch (err) {
    throw new JsonataSyntaxError(describe(err));
  }
  registerExtras(expr);
  return {
    source,
    evaluate(states, variables) {
      const bindings: Record<string, unknown> = { ...variables, states };
      let result: unknown;
      try {
        result = expr.evaluate(states.input, bindings);
      } catch (err) {
        if (err instanceof AslError) throw err;
        throw queryError(describe(err));
      }
      return normalize(result);
    },
  };
}

function describe(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { code?: unknown; message?: unknown };
    const message = typeof e.message === "string" ? e.message : String(err);
    return typeof e.code === "string" ? `${e.code}: ${message}` : message;
  }
  return String(err);
}

/** Plain JSON copy of a JSONata result (drops sequence flags, null prototypes and functions). */
export function normalize(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return typeof value === "function" ? undefined : value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const v = normalize(item);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = normalize((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
