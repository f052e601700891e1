/**
 * Syntax checks for the expression languages inside a definition: JSONPath paths and reference
 * paths, intrinsic functions in `.$` payload fields, and JSONata `{% … %}` expressions. Each
 * check reports through `report` and never throws.
 */
import jsonata from "jsonata";
import { checkIntrinsicSyntax, isIntrinsic } from "../intrinsics/index.ts";
import { checkPathSyntax } from "../path/jsonpath.ts";
import { joinPointer } from "./problems.ts";

export type Report = (pointer: string, message: string) => void;

const JSONATA = /^\{%([\s\S]*)%\}$/;

/** The expression text of a `{% … %}` string, or undefined for any other value. */
export function jsonataText(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = JSONATA.exec(value);
  return m ? (m[1] ?? "") : undefined;
}

export function checkJsonata(text: string, pointer: string, report: Report): void {
  if (text.trim() === "") {
    report(pointer, "The JSONata expression is empty");
    return;
  }
  try {
    jsonata(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    report(pointer, `Invalid JSONata expression '${text.trim()}': ${message}`);
  }
}

/** Every `{% %}` string anywhere inside `value` must parse. */
export function checkJsonataTemplate(value: unknown, pointer: string, report: Report): void {
  if (typeof value === "string") {
    const text = jsonataText(value);
    if (text !== undefined) checkJsonata(text, pointer, report);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkJsonataTemplate(v, joinPointer(pointer, i), report));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) checkJsonataTemplate(v, joinPointer(pointer, k), report);
  }
}

/** A JSONPath-mode path field (`InputPath`, `ItemsPath`, `SecondsPath`, …); `null` where allowed. */
export function checkPath(
  value: unknown,
  pointer: string,
  report: Report,
  kind: "path" | "reference" = "path",
  nullable = false,
): void {
  if (value === null && nullable) return;
  if (typeof value !== "string") {
    report(pointer, nullable ? "must be a path string or null" : "must be a path string");
    return;
  }
  const problem = checkPathSyntax(value, kind);
  if (problem !== undefined) report(pointer, problem);
}

/** The value of a `.$` field: an intrinsic function call or a path. */
export function checkDynamicValue(value: unknown, pointer: string, report: Report): void {
  if (typeof value !== "string") {
    report(pointer, "The value of a field ending in '.$' must be a path or an intrinsic function string");
    return;
  }
  if (isIntrinsic(value)) {
    const problem = checkIntrinsicSyntax(value);
    if (problem !== undefined) report(pointer, `Invalid intrinsic function '${value}': ${problem}`);
    return;
  }
  const problem = checkPathSyntax(value, "path");
  if (problem !== undefined) report(pointer, problem);
}

/** A JSONPath payload template (`Parameters`, `ResultSelector`, `ItemSelector`, `Credentials`). */
export function checkPayloadTemplate(value: unknown, pointer: string, report: Report): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkPayloadTemplate(v, joinPointer(pointer, i), report));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const at = joinPointer(pointer, k);
      if (k.endsWith(".$")) checkDynamicValue(v, at, report);
      else checkPayloadTemplate(v, at, report);
    }
  }
}

const VARIABLE_NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** `Assign`: an object of variable names; JSONPath values follow payload-template rules. */
export function checkAssign(
  value: unknown,
  pointer: string,
  report: Report,
  language: "JSONPath" | "JSONata",
): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    report(pointer, "Assign must be an object");
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const at = joinPointer(pointer, key);
    const name = language === "JSONPath" && key.endsWith(".$") ? key.slice(0, -2) : key;
    if (!VARIABLE_NAME.test(name) || name.length > 80) report(at, `'${name}' is not a valid variable name`);
    if (language === "JSONata") checkJsonataTemplate(v, at, report);
    else if (key.endsWith(".$")) checkDynamicValue(v, at, report);
    else checkPayloadTemplate(v, at, report);
  }
}
