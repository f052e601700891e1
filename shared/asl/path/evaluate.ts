/**
 * Walks a compiled JSONPath over JSON values. Definite paths take a direct walk that returns the
 * single node or `MISSING`; indefinite paths collect every match in document order (Jayway-style,
 * as Step Functions does), including filter expressions.
 */
import type { CompiledPath, FilterExpr, Operand, Segment, Selector } from "./parse.ts";
import { deepEqual, isPlainObject } from "./json.ts";

export const MISSING: unique symbol = Symbol("missing");
export type Missing = typeof MISSING;

/** Values the roots of a path can refer to. `current` is the `@` node inside a filter. */
export interface Roots {
  readonly input: unknown;
  readonly context: unknown;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly current?: unknown;
}

export function rootValue(path: CompiledPath, roots: Roots): unknown {
  const root = path.root;
  if (root === "input") return roots.input;
  if (root === "context") return roots.context;
  if (root === "current") return roots.current;
  return Object.hasOwn(roots.variables, root.variable) ? roots.variables[root.variable] : MISSING;
}

/** The single node a definite path selects, or MISSING. */
export function walkDefinite(start: unknown, segments: readonly Segment[]): unknown {
  let node = start;
  for (const seg of segments) {
    const sel = seg.sel;
    if (sel.t === "name") {
      if (!isPlainObject(node) || !Object.hasOwn(node, sel.name)) return MISSING;
      node = node[sel.name];
    } else if (sel.t === "index") {
      if (!Array.isArray(node)) return MISSING;
      const i = sel.index < 0 ? node.length + sel.index : sel.index;
      if (i < 0 || i >= node.length) return MISSING;
      node = node[i] as unknown;
    } else {
      return MISSING;
    }
  }
  return node;
}

/** Every node an (indefinite) path selects, in document order. */
export function walkAll(start: unknown, segments: readonly Segment[], roots: Roots): unknown[] {
  let nodes: unknown[] = [start];
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (seg.deep) descend(node, (n) => select(n, seg.sel, roots, next));
      else select(node, seg.sel, roots, next);
    }
    nodes = next;
    if (nodes.length === 0) break;
  }
  return nodes;
}

function descend(node: unknown, visit: (n: unknown) => void): void {
  visit(node);
  if (Array.isArray(node)) for (const child of node) descend(child, visit);
  else if (isPlainObject(node)) for (const key in node) descend(node[key], visit);
}

function select(node: unknown, sel: Selector, roots: Roots, out: unknown[]): void {
  switch (sel.t) {
    case "name":
      if (isPlainObject(node) && Object.hasOwn(node, sel.name)) out.push(node[sel.name]);
      return;
    case "index":
      pushIndex(node, sel.index, out);
      return;
    case "wild":
      if (Array.isArray(node)) out.push(...(node as unknown[]));
      else if (isPlainObject(node)) for (const key in node) out.push(node[key]);
      return;
    case "slice":
      if (Array.isArray(node)) sliceInto(node, sel.start, sel.end, sel.step, out);
      return;
    case "union":
      for (const key of sel.keys) {
        if (typeof key === "number") pushIndex(node, key, out);
        else if (isPlainObject(node) && Object.hasOwn(node, key)) out.push(node[key]);
      }
      return;
    case "filter":
      if (Array.isArray(node)) {
        for (const item of node as unknown[]) if (test(sel.expr, item, roots)) out.push(item);
      } else if (isPlainObject(node) && test(sel.expr, node, roots)) {
        out.push(node);
      }
      return;
  }
}

function pushIndex(node: unknown, index: number, out: unknown[]): void {
  if (!Array.isArray(node)) return;
  const i = index < 0 ? node.length + index : index;
  if (i >= 0 && i < node.length) out.push(node[i]);
}

function sliceInto(
  arr: readonly unknown[],
  start: number | undefined,
  end: number | undefined,
  step = 1,
  out: unknown[],
): void {
  const len = arr.length;
  const norm = (v: number): number =>
    v < 0 ? Math.max(len + v, step < 0 ? -1 : 0) : Math.min(v, step < 0 ? len - 1 : len);
  if (step > 0) {
    const from = start === undefined ? 0 : norm(start);
    const to = end === undefined ? len : norm(end);
    for (let i = from; i < to; i += step) out.push(arr[i]);
  } else {
    const from = start === undefined ? len - 1 : norm(start);
    const to = end === undefined ? -1 : norm(end);
    for (let i = from; i > to; i += step) out.push(arr[i]);
  }
}

function test(expr: FilterExpr, current: unknown, roots: Roots): boolean {
  switch (expr.t) {
    case "and":
      return test(expr.left, current, roots) && test(expr.right, current, roots);
    case "or":
      return test(expr.left, current, roots) || test(expr.right, current, roots);
    case "not":
      return !test(expr.expr, current, roots);
    case "exists": {
      const v = operandValue(expr.operand, current, roots);
      return (
        v !== MISSING &&
        v !== false &&
        !(Array.isArray(v) && expr.operand.t === "path" && !expr.operand.path.definite && v.length === 0)
      );
    }
    case "cmp":
      return compare(
        expr.op,
        operandValue(expr.left, current, roots),
        operandValue(expr.right, current, roots),
      );
  }
}

function operandValue(op: Operand, current: unknown, roots: Roots): unknown {
  if (op.t === "lit") return op.value;
  if (op.t === "regex") return op.re;
  const scoped: Roots = { ...roots, current };
  const start = rootValue(op.path, scoped);
  if (start === MISSING) return MISSING;
  return op.path.definite ? walkDefinite(start, op.path.segments) : walkAll(start, op.path.segments, scoped);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (a === MISSING || b === MISSING) return op === "!=" || op === "nin";
  switch (op) {
    case "==":
      return deepEqual(a, b);
    case "!=":
      return !deepEqual(a, b);
    case "=~":
      return typeof a === "string" && b instanceof RegExp && b.test(a);
    case "in":
      return Array.isArray(b) && b.some((x) => deepEqual(a, x));
    case "nin":
      return Array.isArray(b) && !b.some((x) => deepEqual(a, x));
  }
  if (!((typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string")))
    return false;
  if (op === "<") return a < b;
  if (op === "<=") return a <= b;
  if (op === ">") return a > b;
  return a >= b;
}

/** Jayway-style rendering used in AWS causes: `$['a']['b'][0]`. */
export function normalizedPath(path: CompiledPath): string {
  const root = path.root;
  let out =
    root === "input" ? "$" : root === "context" ? "$$" : root === "current" ? "@" : `$${root.variable}`;
  for (const seg of path.segments) {
    if (seg.deep) out += "..";
    const sel = seg.sel;
    if (sel.t === "name") out += `['${sel.name}']`;
    else if (sel.t === "index") out += `[${sel.index}]`;
    else if (sel.t === "wild") out += "[*]";
    else if (sel.t === "union")
      out += `[${sel.keys.map((k) => (typeof k === "number" ? k : `'${k}'`)).join(",")}]`;
    else if (sel.t === "slice")
      out += `[${sel.start ?? ""}:${sel.end ?? ""}${sel.step === undefined ? "" : `:${sel.step}`}]`;
    else out += "[?]";
  }
  return out;
}
