/**
 * Path evaluation as Step Functions does it in JSONPath mode. Paths are compiled once and cached
 * by their text; a definite path yields its single node, an indefinite one (`[*]`, `..`, filters,
 * slices, unions) an array of matches, possibly empty.
 */
import { runtimeError } from "../errors.ts";
import { CompileCache } from "./cache.ts";
import type { PathContext } from "./context.ts";
import { MISSING, normalizedPath, rootValue, walkAll, walkDefinite } from "./evaluate.ts";
import { compilePath, PathSyntaxError } from "./parse.ts";
import type { CompiledPath } from "./parse.ts";

const cache = new CompileCache<CompiledPath | PathSyntaxError>();

function compileOrError(path: string): CompiledPath | PathSyntaxError {
  try {
    return compilePath(path);
  } catch (err) {
    if (err instanceof PathSyntaxError) return err;
    throw err;
  }
}

/** The compiled form of `path`, cached; throws States.Runtime when the path is malformed. */
export function getCompiledPath(path: string): CompiledPath {
  const compiled = cache.get(path, compileOrError);
  if (compiled instanceof PathSyntaxError) throw runtimeError(`Invalid path '${path}' : ${compiled.message}`);
  return compiled;
}

/**
 * Evaluate a Path against `ctx`. Throws States.Runtime when a definite path matches nothing,
 * unless `opts.allowMissing` (then returns undefined). Indefinite paths never throw on no match.
 */
export function evaluatePath(path: string, ctx: PathContext, opts?: { allowMissing?: boolean }): unknown {
  const compiled = getCompiledPath(path);
  const start = rootValue(compiled, ctx);
  if (start === MISSING) {
    if (opts?.allowMissing) return undefined;
    const root = compiled.root as { variable: string };
    throw runtimeError(`Invalid path '${path}' : The variable '${root.variable}' is not defined`);
  }
  if (compiled.definite) {
    const value = walkDefinite(start, compiled.segments);
    if (value !== MISSING) return value;
    if (opts?.allowMissing) return undefined;
    throw runtimeError(`Invalid path '${path}' : No results for path: ${normalizedPath(compiled)}`);
  }
  return walkAll(start, compiled.segments, ctx);
}

/** True when `path` is syntactically a Path and selects at most one node. */
export function isDefinitePath(path: string): boolean {
  const compiled = cache.get(path, compileOrError);
  return !(compiled instanceof PathSyntaxError) && compiled.definite;
}

/**
 * Cheap syntax check for the validator. `path` accepts `$`, `$$` and `$var` roots with any
 * selector; `reference` (ResultPath) accepts only `$` roots with names and indexes.
 */
export function checkPathSyntax(path: string, kind: "path" | "reference"): string | undefined {
  if (typeof path !== "string" || !path.startsWith("$"))
    return `The path '${String(path)}' must start with '$'`;
  const compiled = cache.get(path, compileOrError);
  if (compiled instanceof PathSyntaxError) return `Invalid path '${path}': ${compiled.message}`;
  if (kind === "reference") {
    if (compiled.root !== "input") return `The reference path '${path}' must start with '$.' or be '$'`;
    if (!compiled.definite) return `The reference path '${path}' must be definite (names and indexes only)`;
  }
  return undefined;
}
