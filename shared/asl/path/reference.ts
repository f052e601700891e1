/**
 * ResultPath: where a state's result goes in its input. `$` (or absent) replaces the input, null
 * discards the result, `$.a.b` writes into a copy of the input, creating missing objects on the
 * way. The input is never mutated: only the objects along the path are copied.
 */
import { AslError } from "../errors.ts";
import { isPlainObject, toJson } from "./json.ts";
import { getCompiledPath } from "./jsonpath.ts";
import type { Segment } from "./parse.ts";

function matchFailure(resultPath: string, input: unknown): AslError {
  return new AslError(
    "States.ResultPathMatchFailure",
    `Unable to apply ReferencePath ${resultPath} to input ${toJson(input)}`,
  );
}

export function applyResultPath(
  input: unknown,
  result: unknown,
  resultPath: string | null | undefined,
): unknown {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === "$") return result;
  let compiled;
  try {
    compiled = getCompiledPath(resultPath);
  } catch {
    throw matchFailure(resultPath, input);
  }
  if (compiled.root !== "input" || !compiled.definite) throw matchFailure(resultPath, input);
  return place(input, compiled.segments, 0, result, () => matchFailure(resultPath, input));
}

function place(
  node: unknown,
  segments: readonly Segment[],
  i: number,
  result: unknown,
  fail: () => AslError,
): unknown {
  const seg = segments[i];
  if (seg === undefined) return result;
  const sel = seg.sel;
  if (sel.t === "name") {
    if (!isPlainObject(node)) throw fail();
    const child = Object.hasOwn(node, sel.name) ? node[sel.name] : {};
    return { ...node, [sel.name]: place(child, segments, i + 1, result, fail) };
  }
  if (sel.t === "index" && Array.isArray(node)) {
    const idx = sel.index < 0 ? node.length + sel.index : sel.index;
    if (idx < 0 || idx >= node.length) throw fail();
    const copy = node.slice() as unknown[];
    copy[idx] = place(copy[idx], segments, i + 1, result, fail);
    return copy;
  }
  throw fail();
}
