/**
 * Intrinsic functions in JSONPath mode (`"x.$": "States.Format('{}', $.a)"`). Expressions are
 * parsed once and cached by their text; evaluation walks the AST, resolving path arguments against
 * the PathContext and calling the registered function.
 */
import { intrinsicError } from "../errors.ts";
import { CompileCache } from "../path/cache.ts";
import type { PathContext } from "../path/context.ts";
import { evaluatePath } from "../path/jsonpath.ts";
import type { PayloadDeps } from "../payload.ts";
import { IntrinsicSyntaxError, parseIntrinsic } from "./parse.ts";
import type { IntrinsicNode } from "./parse.ts";

export type { IntrinsicNode } from "./parse.ts";

const cache = new CompileCache<IntrinsicNode | IntrinsicSyntaxError>();

function parseOrError(expr: string): IntrinsicNode | IntrinsicSyntaxError {
  try {
    return parseIntrinsic(expr);
  } catch (err) {
    if (err instanceof IntrinsicSyntaxError) return err;
    throw err;
  }
}

/** The parsed form of `expr`, cached; throws States.IntrinsicFailure when it is malformed. */
export function compileIntrinsic(expr: string): IntrinsicNode {
  const node = cache.get(expr, parseOrError);
  if (node instanceof IntrinsicSyntaxError) throw intrinsicError(node.message);
  return node;
}

/** Whether a `.$` value is meant as an intrinsic call rather than a path. */
export function isIntrinsic(expr: string): boolean {
  return expr.trimStart().startsWith("States.");
}

/** A syntax/arity problem with `expr`, or undefined when it parses. */
export function checkIntrinsicSyntax(expr: string): string | undefined {
  const node = cache.get(expr, parseOrError);
  return node instanceof IntrinsicSyntaxError ? node.message : undefined;
}

export function evaluateIntrinsic(expr: string, ctx: PathContext, deps: PayloadDeps): unknown {
  return evaluateNode(compileIntrinsic(expr), ctx, deps);
}

export function evaluateNode(node: IntrinsicNode, ctx: PathContext, deps: PayloadDeps): unknown {
  if (node.t === "lit") return node.value;
  if (node.t === "path") return evaluatePath(node.path, ctx);
  const args = node.args.map((arg) => evaluateNode(arg, ctx, deps));
  const raw = node.args.map((arg) => (arg.t === "lit" ? arg.raw : undefined));
  return node.fn.run(args, deps, raw);
}
