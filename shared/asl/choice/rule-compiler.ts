/**
 * Compiles a JSONPath-mode Choice rule into a predicate, once, so evaluating it does no parsing:
 * literal operands (timestamps, `StringMatches` patterns) are prepared here, and each node becomes
 * one closure. Semantics follow what AWS Step Functions records:
 * - an operand of the wrong type (a string for `NumericEquals`, a non-timestamp string for
 *   `TimestampEquals`, …) makes the comparison false, never an error;
 * - a `Variable` (or `…Path` operand) that matches nothing fails the execution with
 *   `States.Runtime`, except under `IsPresent`, which exists to test exactly that;
 * - numbers compare by value (`1` equals `1.0`), strings by UTF-16 code units, timestamps as instants.
 */
import type { PathContext } from "../path/context.ts";
import { runtimeError } from "../errors.ts";
import { InvalidDefinitionError } from "../validate/problems.ts";
import {
  CHOICE_OPERATORS,
  CHOICE_RULE_META_FIELDS,
  type OperandKind,
  type Relation,
  type TypeTest,
} from "./operators.ts";
import { compileStringMatches } from "./string-matches.ts";
import { compareTimestamps, isTimestamp, parseTimestamp, type Timestamp } from "./timestamp.ts";

export type CompiledChoiceRule = (ctx: PathContext) => boolean;

/** Reads a path; returns `undefined` when it matches nothing (the `allowMissing` contract). */
export type PathEvaluator = (path: string, ctx: PathContext, opts: { allowMissing: true }) => unknown;

type Reader = (ctx: PathContext) => unknown;
type Coerce<T> = (value: unknown) => T | undefined;
type Test<T> = (a: T, b: T) => boolean;

const malformed = (pointer: string, message: string): InvalidDefinitionError =>
  new InvalidDefinitionError([{ pointer, message }]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** AWS's cause when a Choice condition path matches nothing. */
export const invalidChoicePathCause = (path: string): string =>
  `Invalid path '${path}': The choice state's condition path references an invalid value.`;

function requiredReader(path: string, evaluate: PathEvaluator): Reader {
  const opts = { allowMissing: true } as const;
  return (ctx) => {
    const value = evaluate(path, ctx, opts);
    if (value === undefined) throw runtimeError(invalidChoicePathCause(path));
    return value;
  };
}

const asString: Coerce<string> = (v) => (typeof v === "string" ? v : undefined);
const asNumber: Coerce<number> = (v) => (typeof v === "number" ? v : undefined);
const asBoolean: Coerce<boolean> = (v) => (typeof v === "boolean" ? v : undefined);

const COERCE: { readonly [K in OperandKind]: Coerce<unknown> } = {
  String: asString,
  Numeric: asNumber,
  Boolean: asBoolean,
  Timestamp: parseTimestamp,
};

const PRIMITIVE_TESTS: { readonly [R in Relation]: Test<string | number | boolean> } = {
  Equals: (a, b) => a === b,
  LessThan: (a, b) => a < b,
  GreaterThan: (a, b) => a > b,
  LessThanEquals: (a, b) => a <= b,
  GreaterThanEquals: (a, b) => a >= b,
};

const TIMESTAMP_TESTS: { readonly [R in Relation]: Test<Timestamp> } = {
  Equals: (a, b) => compareTimestamps(a, b) === 0,
  LessThan: (a, b) => compareTimestamps(a, b) < 0,
  GreaterThan: (a, b) => compareTimestamps(a, b) > 0,
  LessThanEquals: (a, b) => compareTimestamps(a, b) <= 0,
  GreaterThanEquals: (a, b) => compareTimestamps(a, b) >= 0,
};

const TYPE_TESTS: { readonly [T in Exclude<TypeTest, "IsPresent">]: (v: unknown) => boolean } = {
  IsNull: (v) => v === null,
  IsNumeric: (v) => typeof v === "number",
  IsString: (v) => typeof v === "string",
  IsBoolean: (v) => typeof v === "boolean",
  IsTimestamp: isTimestamp,
};

function compileComparison(
  kind: OperandKind,
  relation: Relation,
  variable: Reader,
  operand: unknown,
  operandIsPath: boolean,
  name: string,
  pointer: string,
  evaluate: PathEvaluator,
): CompiledChoiceRule {
  const coerce = COERCE[kind];
  const test = (
    kind === "Timestamp" ? TIMESTAMP_TESTS[relation] : PRIMITIVE_TESTS[relation]
  ) as Test<unknown>;
  if (operandIsPath) {
    if (typeof operand !== "string") throw malformed(`${pointer}/${name}`, `${name} must be a path string`);
    const readOperand = requiredReader(operand, evaluate);
    return (ctx) => {
      const a = coerce(variable(ctx));
      if (a === undefined) return false;
      const b = coerce(readOperand(ctx));
      return b !== undefined && test(a, b);
    };
  }
  const literal = coerce(operand);
  if (literal === undefined) {
    throw malformed(
      `${pointer}/${name}`,
      `${name} needs a ${kind.toLowerCase()} operand, got ${JSON.stringify(operand)}`,
    );
  }
  if (kind === "Numeric" || kind === "String") {
    // Specialised: one typeof check and one comparison per evaluation.
    const lit = literal as number | string;
    const type = kind === "Numeric" ? "number" : "string";
    const t = test as Test<number | string>;
    return (ctx) => {
      const v = variable(ctx);
      return typeof v === type && t(v as number | string, lit);
    };
  }
  return (ctx) => {
    const a = coerce(variable(ctx));
    return a !== undefined && test(a, literal);
  };
}

function compileTypeTest(
  test: TypeTest,
  path: string,
  expected: unknown,
  pointer: string,
  evaluate: PathEvaluator,
): CompiledChoiceRule {
  if (typeof expected !== "boolean") throw malformed(`${pointer}/${test}`, `${test} must be true or false`);
  if (test === "IsPresent") {
    const opts = { allowMissing: true } as const;
    return (ctx) => (evaluate(path, ctx, opts) !== undefined) === expected;
  }
  const read = requiredReader(path, evaluate);
  const check = TYPE_TESTS[test];
  return (ctx) => check(read(ctx)) === expected;
}

function compileDataTest(
  rule: Record<string, unknown>,
  opName: string,
  pointer: string,
  evaluate: PathEvaluator,
): CompiledChoiceRule {
  const op = CHOICE_OPERATORS.get(opName);
  if (op === undefined) throw malformed(pointer, `unknown Choice operator ${opName}`);
  const path = rule["Variable"];
  if (typeof path !== "string")
    throw malformed(`${pointer}/Variable`, "a Choice data-test rule needs a Variable path string");
  const operand = rule[opName];
  switch (op.op) {
    case "type":
      return compileTypeTest(op.test, path, operand, pointer, evaluate);
    case "matches": {
      if (typeof operand !== "string")
        throw malformed(`${pointer}/StringMatches`, "StringMatches must be a string");
      const read = requiredReader(path, evaluate);
      const matches = compileStringMatches(operand);
      return (ctx) => {
        const v = read(ctx);
        return typeof v === "string" && matches(v);
      };
    }
    case "compare":
      return compileComparison(
        op.kind,
        op.relation,
        requiredReader(path, evaluate),
        operand,
        op.path,
        opName,
        pointer,
        evaluate,
      );
  }
}

function compileList(
  list: unknown,
  name: "And" | "Or",
  pointer: string,
  evaluate: PathEvaluator,
): CompiledChoiceRule[] {
  if (!Array.isArray(list) || list.length === 0)
    throw malformed(`${pointer}/${name}`, `${name} must be a non-empty array of rules`);
  return list.map((r, i) => compileNode(r, `${pointer}/${name}/${i}`, evaluate, false));
}

function compileNode(
  rule: unknown,
  pointer: string,
  evaluate: PathEvaluator,
  topLevel: boolean,
): CompiledChoiceRule {
  if (!isRecord(rule)) throw malformed(pointer, "a Choice rule must be an object");
  let condition: string | undefined;
  for (const key of Object.keys(rule)) {
    if (key === "Variable" || key === "Comment" || (topLevel && CHOICE_RULE_META_FIELDS.has(key))) continue;
    if (condition !== undefined)
      throw malformed(pointer, `a Choice rule has one condition, found ${condition} and ${key}`);
    condition = key;
  }
  if (condition === undefined)
    throw malformed(pointer, "a Choice rule needs a comparison operator or And/Or/Not");
  if (condition === "And" || condition === "Or" || condition === "Not") {
    if ("Variable" in rule)
      throw malformed(`${pointer}/Variable`, `Variable is not allowed beside ${condition}`);
  }
  switch (condition) {
    case "And": {
      const parts = compileList(rule["And"], "And", pointer, evaluate);
      if (parts.length === 1) return parts[0] as CompiledChoiceRule;
      return (ctx) => {
        for (const p of parts) if (!p(ctx)) return false;
        return true;
      };
    }
    case "Or": {
      const parts = compileList(rule["Or"], "Or", pointer, evaluate);
      if (parts.length === 1) return parts[0] as CompiledChoiceRule;
      return (ctx) => {
        for (const p of parts) if (p(ctx)) return true;
        return false;
      };
    }
    case "Not": {
      const inner = compileNode(rule["Not"], `${pointer}/Not`, evaluate, false);
      return (ctx) => !inner(ctx);
    }
    default:
      return compileDataTest(rule, condition, pointer, evaluate);
  }
}

/**
 * Compiles a top-level Choice rule (the entry of `Choices` at `pointer`) with the given path
 * evaluator. Throws `InvalidDefinitionError` on a malformed rule.
 */
export function compileChoiceRuleWith(
  rule: unknown,
  pointer: string,
  evaluate: PathEvaluator,
): CompiledChoiceRule {
  return compileNode(rule, pointer, evaluate, true);
}
