/**
 * Intrinsic expression parser: `States.Fn(arg, ...)` where an argument is a nested call, a string
 * literal in single quotes (escapes `\'`, `\\`, `\{`, `\}`), a number, `true`/`false`/`null`, or a
 * path (`$.a`, `$$.Execution.Input`, `$var.x`, `$['a b']`). Parsed once into an AST; function names
 * and argument counts are checked here so a bad expression fails before anything runs.
 */
import { checkPathSyntax } from "../path/jsonpath.ts";
import { FUNCTIONS } from "./functions.ts";
import type { IntrinsicFunction } from "./functions.ts";

export type IntrinsicNode =
  | {
      readonly t: "call";
      readonly name: string;
      readonly fn: IntrinsicFunction;
      readonly args: readonly IntrinsicNode[];
    }
  /** `raw` is a string literal's text between the quotes, escapes intact (for States.Format). */
  | { readonly t: "lit"; readonly value: unknown; readonly raw?: string }
  | { readonly t: "path"; readonly path: string };

export class IntrinsicSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IntrinsicSyntaxError";
  }
}

/** AWS allows up to 10 nested intrinsic calls within one field. */
const MAX_DEPTH = 10;

class Parser {
  pos = 0;
  constructor(private readonly src: string) {}

  parse(): IntrinsicNode {
    this.space();
    const node = this.call(1);
    this.space();
    if (this.pos < this.src.length) this.fail(`unexpected '${this.src.slice(this.pos)}'`);
    return node;
  }

  private fail(what: string): never {
    throw new IntrinsicSyntaxError(
      `Invalid intrinsic function '${this.src}': ${what} at position ${this.pos}`,
    );
  }

  private space(): void {
    while (this.pos < this.src.length && /\s/.test(this.src.charAt(this.pos))) this.pos++;
  }

  private call(depth: number): IntrinsicNode {
    if (depth > MAX_DEPTH) this.fail(`more than ${MAX_DEPTH} nested intrinsic functions`);
    const m = /^States\.[A-Za-z0-9]+/.exec(this.src.slice(this.pos));
    if (!m) this.fail("expected an intrinsic function name such as States.Format");
    const name = m[0];
    const fn = FUNCTIONS.get(name);
    if (!fn) this.fail(`unknown intrinsic function '${name}'`);
    this.pos += name.length;
    this.space();
    if (this.src.charAt(this.pos) !== "(") this.fail("expected '('");
    this.pos++;
    const args: IntrinsicNode[] = [];
    this.space();
    if (this.src.charAt(this.pos) === ")") {
      this.pos++;
    } else {
      for (;;) {
        this.space();
        args.push(this.arg(depth));
        this.space();
        const c = this.src.charAt(this.pos);
        this.pos++;
        if (c === ")") break;
        if (c !== ",") this.fail("expected ',' or ')'");
      }
    }
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      const want =
        fn.minArgs === fn.maxArgs
          ? `${fn.minArgs}`
          : fn.maxArgs === Infinity
            ? `at least ${fn.minArgs}`
            : `${fn.minArgs} to ${fn.maxArgs}`;
      this.fail(`${name} takes ${want} argument(s) but ${args.length} were given`);
    }
    return { t: "call", name, fn, args };
  }

  private arg(depth: number): IntrinsicNode {
    const rest = this.src.slice(this.pos);
    const c = rest.charAt(0);
    if (rest.startsWith("States.")) return this.call(depth + 1);
    if (c === "'") return this.string();
    if (c === "$") return this.path();
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?=[\s,)]|$)/.exec(rest);
    if (!m) this.fail("expected an argument (string, number, boolean, null, path or function)");
    this.pos += m[0].length;
    return { t: "lit", value: JSON.parse(m[0]) as unknown };
  }

  private string(): IntrinsicNode {
    const start = ++this.pos;
    let value = "";
    for (;;) {
      if (this.pos >= this.src.length) this.fail("unterminated string literal");
      const c = this.src.charAt(this.pos);
      if (c === "'") break;
      if (c === "\\" && this.pos + 1 < this.src.length) {
        const next = this.src.charAt(this.pos + 1);
        value += "'\\{}".includes(next) ? next : c + next;
        this.pos += 2;
        continue;
      }
      value += c;
      this.pos++;
    }
    const raw = this.src.slice(start, this.pos);
    this.pos++;
    return { t: "lit", value, raw };
  }

  /** A path runs to the next `,` or `)` outside brackets, parentheses and quotes. */
  private path(): IntrinsicNode {
    const start = this.pos;
    let depth = 0;
    let quote = "";
    for (; this.pos < this.src.length; this.pos++) {
      const c = this.src.charAt(this.pos);
      if (quote) {
        if (c === "\\") this.pos++;
        else if (c === quote) quote = "";
      } else if (c === "'" || c === '"') {
        quote = c;
      } else if (c === "[" || c === "(") {
        depth++;
      } else if (c === "]" || (c === ")" && depth > 0)) {
        depth--;
      } else if (depth === 0 && (c === "," || c === ")" || /\s/.test(c))) {
        break;
      }
    }
    const path = this.src.slice(start, this.pos);
    const problem = checkPathSyntax(path, "path");
    if (problem) this.fail(problem);
    return { t: "path", path };
  }
}

export function parseIntrinsic(expr: string): IntrinsicNode {
  return new Parser(expr).parse();
}
