/**
 * Input and output processing shared by the state types, in both query languages.
 * JSONPath: InputPath → Parameters → (state work) → ResultSelector → ResultPath → OutputPath, with
 * Assign evaluated on the (selected) result. JSONata: Arguments → (state work) → Output and Assign,
 * both seeing `$states.input`, `$states.result` and the variables as they were on entry.
 */
import { runtimeError } from "../errors.ts";
import { evaluatePath } from "../path/jsonpath.ts";
import { applyResultPath } from "../path/reference.ts";
import type { Turn } from "./turn.ts";

/** InputPath applied to the raw input (JSONPath; JSONata states see the raw input). */
export function applyInputPath(t: Turn): unknown {
  const p = t.st.inputPath;
  const input = t.frame.in;
  if (p === undefined || p === "$" || t.st.jsonata) return input;
  if (p === null) return {};
  return evaluatePath(p, t.pathCtx(input));
}

/** The effective input: InputPath then Parameters (JSONPath), or Arguments (JSONata). */
export function effectiveInput(t: Turn, extraContext?: Record<string, unknown>): unknown {
  const st = t.st;
  if (st.jsonata) {
    if (!st.args) return t.frame.in;
    const context = extraContext ? { ...t.context(), ...extraContext } : t.context();
    return st.args(t.states({ context }), t.vars);
  }
  const input = applyInputPath(t);
  if (!st.parameters) return input;
  const context = extraContext ? { ...t.context(), ...extraContext } : t.context();
  return st.parameters(t.pathCtx(input, context), t.env.deps);
}

export interface Finished {
  output: unknown;
  assigned: Record<string, unknown> | undefined;
}

/**
 * Output processing once the state has a result. `result` is the task/branch/map result, the Pass
 * result, or (Choice, Wait, Succeed) the effective input.
 */
export function finish(t: Turn, result: unknown, hasResult: boolean): Finished {
  const st = t.st;
  if (st.jsonata) {
    const needStates = st.output !== undefined || st.assignJsonata !== undefined;
    const states = needStates ? t.states(hasResult ? { result } : undefined) : undefined;
    const assigned = st.assignJsonata
      ? (st.assignJsonata(states!, t.vars) as Record<string, unknown>)
      : undefined;
    const output = st.output ? st.output(states!, t.vars) : hasResult ? result : t.frame.in;
    return { output, assigned };
  }
  const selected = st.resultSelector ? st.resultSelector(t.pathCtx(result), t.env.deps) : result;
  const assigned = st.assignPath
    ? (st.assignPath(t.pathCtx(selected), t.env.deps) as Record<string, unknown>)
    : undefined;
  const combined = hasResult ? applyResultPath(t.frame.in, selected, st.resultPath) : selected;
  return { output: applyOutputPath(t, combined), assigned };
}

export function applyOutputPath(t: Turn, value: unknown): unknown {
  const p = t.st.outputPath;
  if (p === undefined || p === "$") return value;
  if (p === null) return {};
  return evaluatePath(p, t.pathCtx(value));
}

/** Read a reference path that must resolve (JSONPath `...Path` fields). */
export function readPath(t: Turn, path: string, input: unknown): unknown {
  return evaluatePath(path, t.pathCtx(input));
}

export function requireArray(value: unknown, cause: () => string): unknown[] {
  if (!Array.isArray(value)) throw runtimeError(cause());
  return value;
}
