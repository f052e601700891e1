/**
 * States.Format: `{}` placeholders filled in order; `\{` and `\}` are literal braces. Strings are
 * inserted as-is; other values print the way Step Functions' Java runtime prints them
 * (`{Arg1=1, Arg2=[]}`, `[1, 2]`, `null`).
 */
import { CompileCache } from "../path/cache.ts";
import { invalidArgs, jsonType } from "./args.ts";
import type { IntrinsicFunction } from "./args.ts";

const FN = "States.Format";

/** A template split into literal text; a placeholder sits between each two neighbours. */
type Template = readonly string[];

const templates = new CompileCache<Template>(1000);

/** Split on unescaped `{}`; the result has one more entry than there are placeholders. */
export function compileTemplate(raw: string): Template {
  return templates.get(raw, splitTemplate);
}

function splitTemplate(raw: string): Template {
  const parts: string[] = [];
  let text = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    const next = raw.charAt(i + 1);
    if (c === "\\" && "{}'\\".includes(next) && next !== "") {
      text += next;
      i++;
    } else if (c === "{" && next === "}") {
      parts.push(text);
      text = "";
      i++;
    } else {
      text += c;
    }
  }
  parts.push(text);
  return parts;
}

/** Java-style `toString` of a JSON value, as AWS renders non-string Format arguments. */
export function formatValue(value: unknown): string {
  const t = jsonType(value);
  if (t === "string") return String(value);
  if (t === "null") return "null";
  if (t === "array") return `[${(value as unknown[]).map((v) => formatValue(v)).join(", ")}]`;
  if (t === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${k}=${formatValue(v)}`).join(", ")}}`;
  }
  return String(value);
}

export const FORMAT_FUNCTION: IntrinsicFunction = {
  minArgs: 1,
  maxArgs: Infinity,
  run(args, _deps, raw) {
    const first = args[0];
    if (typeof first !== "string") {
      throw invalidArgs(FN, `the first argument must be a string template, but was ${jsonType(first)}`);
    }
    const template = compileTemplate(raw[0] ?? first);
    const values = args.length - 1;
    if (template.length - 1 !== values) {
      throw invalidArgs(
        FN,
        `the template has ${template.length - 1} placeholder(s) but ${values} value(s) were given`,
      );
    }
    let out = template[0] ?? "";
    for (let i = 1; i < template.length; i++) out += formatValue(args[i]) + (template[i] ?? "");
    return out;
  },
};
