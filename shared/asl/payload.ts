/**
 * JSONPath-mode payload templates (Parameters, ItemSelector, ResultSelector, Assign): keys ending
 * in `.$` take the value of a path or intrinsic call evaluated against the context (the suffix is
 * dropped); every other value is kept, recursing into objects and arrays. A template is compiled
 * once per template object (WeakMap), so a hot state pays only for the lookups it needs.
 * Results share static subtrees with the template and path results with the input: treat every
 * value as immutable (the engine copies on write, see applyResultPath).
 */
import { runtimeError } from "./errors.ts";
import { compileIntrinsic, evaluateNode, isIntrinsic } from "./intrinsics/index.ts";
import type { PathContext } from "./path/context.ts";
import { isPlainObject, toJson } from "./path/json.ts";
import { evaluatePath, getCompiledPath } from "./path/jsonpath.ts";

export interface PayloadDeps {
  uuid: () => string;
  random: () => number;
}

/** A compiled template: call it with a context to get the resolved payload. */
export type CompiledPayload = (ctx: PathContext, deps: PayloadDeps) => unknown;

const compiled = new WeakMap<object, CompiledPayload>();

export function resolvePayload(template: unknown, ctx: PathContext, deps: PayloadDeps): unknown {
  return compilePayload(template)(ctx, deps);
}

export function compilePayload(template: unknown): CompiledPayload {
  if (typeof template !== "object" || template === null) return () => template;
  const hit = compiled.get(template);
  if (hit) return hit;
  const fn = compileValue(template);
  compiled.set(template, fn);
  return fn;
}

function compileValue(value: unknown): CompiledPayload {
  if (Array.isArray(value)) {
    const items = value.map((item) => compileValue(item));
    return (ctx, deps) => items.map((item) => item(ctx, deps));
  }
  if (!isPlainObject(value)) return () => value;
  const fields: [string, CompiledPayload][] = [];
  let isStatic = true;
  for (const [key, child] of Object.entries(value)) {
    if (key.endsWith(".$")) {
      fields.push([key.slice(0, -2), compileDynamic(key, child)]);
      isStatic = false;
    } else {
      const compiledChild = compileValue(child);
      fields.push([key, compiledChild]);
      if (!isStaticValue(child)) isStatic = false;
    }
  }
  if (isStatic) return () => value;
  return (ctx, deps) => {
    const out: Record<string, unknown> = {};
    for (const [key, fn] of fields) out[key] = fn(ctx, deps);
    return out;
  };
}

function isStaticValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isStaticValue);
  if (isPlainObject(value))
    return Object.entries(value).every(([k, v]) => !k.endsWith(".$") && isStaticValue(v));
  return true;
}

function compileDynamic(key: string, expr: unknown): CompiledPayload {
  if (typeof expr !== "string") {
    return () => {
      throw runtimeError(
        `The value for the field '${key}' must be a STRING that contains a JSONPath but was ${toJson(expr)}`,
      );
    };
  }
  if (isIntrinsic(expr)) {
    const node = compileIntrinsic(expr);
    return (ctx, deps) => evaluateNode(node, ctx, deps);
  }
  getCompiledPath(expr);
  return (ctx) => {
    const value = evaluatePath(expr, ctx, { allowMissing: true });
    if (value === undefined) {
      throw runtimeError(
        `The JSONPath '${expr}' specified for the field '${key}' could not be found in the input '${toJson(ctx.input)}'`,
      );
    }
    return value;
  };
}
