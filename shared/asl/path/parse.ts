/**
 * JSONPath compiler: turns a Path string (`$.a['b'][0]`, `$..x`, `$.a[*].b`, `$.a[1:3]`,
 * `$.a[?(@.x > 1)]`, `$$.Execution.Input`, `$var.field`) into a small AST once, so evaluation is
 * a tight walk. Throws `PathSyntaxError` on malformed input; callers turn it into an AslError or a
 * validation message.
 */
export type Root = "input" | "context" | "current" | { readonly variable: string };

export type Selector =
  | { readonly t: "name"; readonly name: string }
  | { readonly t: "index"; readonly index: number }
  | { readonly t: "wild" }
  | {
      readonly t: "slice";
      readonly start: number | undefined;
      readonly end: number | undefined;
      readonly step: number | undefined;
    }
  | { readonly t: "union"; readonly keys: readonly (string | number)[] }
  | { readonly t: "filter"; readonly expr: FilterExpr };

export interface Segment {
  /** `..` descendant scan: apply the selector to the node and every node below it. */
  readonly deep: boolean;
  readonly sel: Selector;
}

export interface CompiledPath {
  readonly source: string;
  readonly root: Root;
  readonly segments: readonly Segment[];
  /** True when the path selects at most one node (only names and indexes, no `..`). */
  readonly definite: boolean;
}

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "in" | "nin";

export type Operand =
  | { readonly t: "lit"; readonly value: unknown }
  | { readonly t: "path"; readonly path: CompiledPath }
  | { readonly t: "regex"; readonly re: RegExp };

export type FilterExpr =
  | { readonly t: "and" | "or"; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly t: "not"; readonly expr: FilterExpr }
  | { readonly t: "cmp"; readonly op: CompareOp; readonly left: Operand; readonly right: Operand }
  | { readonly t: "exists"; readonly operand: Operand };

export class PathSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PathSyntaxError";
  }
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
/** Characters that end a dotted name inside a filter (`@.price < 10`). */
const FILTER_NAME_STOP = new Set([" ", "\t", "\n", ")", "=", "!", "<", ">", "&", "|", ",", "]"]);

class Scanner {
  pos = 0;
  constructor(readonly src: string) {}

  peek(offset = 0): string {
    return this.src.charAt(this.pos + offset);
  }
  eof(): boolean {
    return this.pos >= this.src.length;
  }
  skipSpace(): void {
    while (/\s/.test(this.peek()) && !this.eof()) this.pos++;
  }
  eat(text: string): boolean {
    if (this.src.startsWith(text, this.pos)) {
      this.pos += text.length;
      return true;
    }
    return false;
  }
  expect(text: string): void {
    if (!this.eat(text)) this.fail(`expected '${text}'`);
  }
  fail(what: string): never {
    throw new PathSyntaxError(`${what} at position ${this.pos} in '${this.src}'`);
  }
}

/** Compile a complete path string; everything must be consumed. */
export function compilePath(source: string): CompiledPath {
  const s = new Scanner(source);
  const path = parsePath(s, false);
  if (!s.eof()) s.fail(`unexpected '${s.peek()}'`);
  return path;
}

function parseRoot(s: Scanner, inFilter: boolean): Root {
  if (inFilter && s.eat("@")) return "current";
  if (!s.eat("$")) s.fail("a path must start with '$'");
  if (s.eat("$")) return "context";
  if (IDENT_START.test(s.peek())) {
    const start = s.pos;
    while (!s.eof() && IDENT_PART.test(s.peek())) s.pos++;
    return { variable: s.src.slice(start, s.pos) };
  }
  return "input";
}

function parsePath(s: Scanner, inFilter: boolean): CompiledPath {
  const start = s.pos;
  const root = parseRoot(s, inFilter);
  const segments: Segment[] = [];
  for (;;) {
    const c = s.peek();
    if (c === "." && s.peek(1) === ".") {
      s.pos += 2;
      if (s.peek() === "[") segments.push({ deep: true, sel: parseBracket(s) });
      else segments.push({ deep: true, sel: parseDotted(s, inFilter) });
    } else if (c === ".") {
      s.pos++;
      segments.push({ deep: false, sel: parseDotted(s, inFilter) });
    } else if (c === "[") {
      segments.push({ deep: false, sel: parseBracket(s) });
    } else {
      break;
    }
  }
  const definite = segments.every((g) => !g.deep && (g.sel.t === "name" || g.sel.t === "index"));
  return { source: s.src.slice(start, s.pos), root, segments, definite };
}

function parseDotted(s: Scanner, inFilter: boolean): Selector {
  if (s.eat("*")) return { t: "wild" };
  const start = s.pos;
  while (!s.eof()) {
    const c = s.peek();
    if (c === "." || c === "[" || (inFilter && FILTER_NAME_STOP.has(c))) break;
    if (/\s/.test(c)) s.fail("use bracket notation ['my prop'] for a property containing blank characters");
    s.pos++;
  }
  if (s.pos === start) s.fail("expected a property name");
  return { t: "name", name: s.src.slice(start, s.pos) };
}

function parseBracket(s: Scanner): Selector {
  s.expect("[");
  s.skipSpace();
  let sel: Selector;
  if (s.eat("*")) {
    sel = { t: "wild" };
  } else if (s.eat("?")) {
    s.skipSpace();
    s.expect("(");
    const expr = parseOr(s);
    s.skipSpace();
    s.expect(")");
    sel = { t: "filter", expr };
  } else if (s.peek() === "'" || s.peek() === '"') {
    const keys: string[] = [readQuoted(s)];
    for (s.skipSpace(); s.eat(","); s.skipSpace()) {
      s.skipSpace();
      keys.push(readQuoted(s));
    }
    sel = keys.length === 1 ? { t: "name", name: keys[0] ?? "" } : { t: "union", keys };
  } else {
    sel = parseIndexes(s);
  }
  s.skipSpace();
  s.expect("]");
  return sel;
}

function parseIndexes(s: Scanner): Selector {
  const first = readInt(s);
  s.skipSpace();
  if (s.peek() === ":") {
    s.pos++;
    s.skipSpace();
    const end = readInt(s);
    s.skipSpace();
    let step: number | undefined;
    if (s.eat(":")) {
      s.skipSpace();
      step = readInt(s);
      if (step === 0) s.fail("slice step cannot be 0");
    }
    return { t: "slice", start: first, end, step };
  }
  if (first === undefined) s.fail("expected an index, a quoted name, '*' or '?('");
  const keys: number[] = [first];
  for (s.skipSpace(); s.eat(","); s.skipSpace()) {
    s.skipSpace();
    const next = readInt(s);
    if (next === undefined) s.fail("expected an index");
    keys.push(next);
  }
  return keys.length === 1 ? { t: "index", index: first } : { t: "union", keys };
}

function readInt(s: Scanner): number | undefined {
  const m = /^-?\d+/.exec(s.src.slice(s.pos));
  if (!m) return undefined;
  s.pos += m[0].length;
  return Number(m[0]);
}

/** A quoted name or string literal; `\'`, `\"` and `\\` are escapes, other backslashes stay. */
function readQuoted(s: Scanner): string {
  const quote = s.peek();
  s.pos++;
  let out = "";
  for (;;) {
    if (s.eof()) s.fail("unterminated quoted name");
    const c = s.peek();
    if (c === quote) break;
    if (c === "\\" && (s.peek(1) === quote || s.peek(1) === "\\")) {
      out += s.peek(1);
      s.pos += 2;
      continue;
    }
    out += c;
    s.pos++;
  }
  s.pos++;
  return out;
}

function parseOr(s: Scanner): FilterExpr {
  let left = parseAnd(s);
  for (s.skipSpace(); s.eat("||"); s.skipSpace()) left = { t: "or", left, right: parseAnd(s) };
  return left;
}

function parseAnd(s: Scanner): FilterExpr {
  let left = parseUnary(s);
  for (s.skipSpace(); s.eat("&&"); s.skipSpace()) left = { t: "and", left, right: parseUnary(s) };
  return left;
}

function parseUnary(s: Scanner): FilterExpr {
  s.skipSpace();
  if (s.peek() === "!" && s.peek(1) !== "=") {
    s.pos++;
    return { t: "not", expr: parseUnary(s) };
  }
  if (s.eat("(")) {
    const inner = parseOr(s);
    s.skipSpace();
    s.expect(")");
    return inner;
  }
  const left = parseOperand(s);
  s.skipSpace();
  const op = readOp(s);
  if (op === undefined) return { t: "exists", operand: left };
  s.skipSpace();
  return { t: "cmp", op, left, right: parseOperand(s) };
}

const OPS: readonly CompareOp[] = ["==", "!=", "<=", ">=", "=~", "<", ">"];

function readOp(s: Scanner): CompareOp | undefined {
  for (const op of OPS) if (s.eat(op)) return op;
  for (const op of ["nin", "in"] as const) {
    if (s.src.startsWith(op, s.pos) && /\s/.test(s.peek(op.length))) {
      s.pos += op.length;
      return op;
    }
  }
  return undefined;
}

function parseOperand(s: Scanner): Operand {
  const c = s.peek();
  if (c === "@" || c === "$") return { t: "path", path: parsePath(s, true) };
  if (c === "'" || c === '"') return { t: "lit", value: readQuoted(s) };
  if (c === "/") return { t: "regex", re: readRegex(s) };
  if (c === "[") return { t: "lit", value: readJsonLiteral(s, "]") };
  const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true\b|false\b|null\b)/.exec(s.src.slice(s.pos));
  if (!m) s.fail("expected a filter operand");
  s.pos += m[0].length;
  return { t: "lit", value: JSON.parse(m[0]) as unknown };
}

function readRegex(s: Scanner): RegExp {
  s.pos++;
  const start = s.pos;
  while (!s.eof() && s.peek() !== "/") s.pos += s.peek() === "\\" ? 2 : 1;
  if (s.eof()) s.fail("unterminated regular expression");
  const body = s.src.slice(start, s.pos);
  s.pos++;
  const flags = /^[a-z]*/.exec(s.src.slice(s.pos))?.[0] ?? "";
  s.pos += flags.length;
  try {
    return new RegExp(body, flags.replace(/[^imsu]/g, ""));
  } catch {
    return s.fail("invalid regular expression");
  }
}

/** An inline array literal for `in`/`nin`, e.g. `['a', 'b']` or `[1, 2]`. */
function readJsonLiteral(s: Scanner, close: string): unknown {
  s.pos++;
  const items: unknown[] = [];
  for (s.skipSpace(); !s.eat(close); s.skipSpace()) {
    const operand = parseOperand(s);
    if (operand.t !== "lit") s.fail("only literals are allowed in a list");
    items.push(operand.value);
    s.skipSpace();
    if (s.peek() !== close) s.expect(",");
    s.skipSpace();
  }
  return items;
}
