/**
 * Checks for the rule lists inside a state: a Choice state's `Choices` (JSONPath data-test rules
 * or JSONata `Condition`s) and the `Retry` / `Catch` lists of Task, Parallel and Map states.
 */
import { CHOICE_OPERATORS } from "../choice/operators.ts";
import { compileChoiceRuleWith, type PathEvaluator } from "../choice/rule-compiler.ts";
import type { QueryLanguage } from "../types.ts";
import {
  checkAssign,
  checkJsonata,
  checkJsonataTemplate,
  checkPath,
  jsonataText,
  type Report,
} from "./expressions.ts";
import { InvalidDefinitionError, joinPointer } from "./problems.ts";

/** A transition to check against the scope's state names. */
export interface Target {
  name: unknown;
  pointer: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isNonNegInt = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** Never called: compiling only checks the rule's shape. */
const NO_PATHS: PathEvaluator = () => undefined;

function checkRulePaths(rule: unknown, pointer: string, report: Report): void {
  if (!isRecord(rule)) return;
  for (const [key, value] of Object.entries(rule)) {
    if (key === "And" || key === "Or") {
      if (Array.isArray(value))
        value.forEach((r, i) => checkRulePaths(r, joinPointer(pointer, key, i), report));
    } else if (key === "Not") {
      checkRulePaths(value, joinPointer(pointer, key), report);
    } else if (key === "Variable" || (key.endsWith("Path") && CHOICE_OPERATORS.has(key))) {
      checkPath(value, joinPointer(pointer, key), report);
    }
  }
}

const JSONATA_RULE_FIELDS = new Set(["Condition", "Next", "Comment", "Assign", "Output"]);

function checkJsonataRule(rule: Record<string, unknown>, pointer: string, report: Report): void {
  for (const key of Object.keys(rule)) {
    if (!JSONATA_RULE_FIELDS.has(key))
      report(joinPointer(pointer, key), `Field '${key}' is not supported in a JSONata Choice rule`);
  }
  const condition = rule["Condition"];
  const at = joinPointer(pointer, "Condition");
  if (condition === undefined) report(pointer, "A JSONata Choice rule needs a Condition");
  else if (typeof condition === "boolean") return;
  else if (jsonataText(condition) === undefined)
    report(at, "Condition must be a JSONata expression '{% … %}' or a boolean");
  else checkJsonata(jsonataText(condition) ?? "", at, report);
  if ("Output" in rule) checkJsonataTemplate(rule["Output"], joinPointer(pointer, "Output"), report);
}

/** `Choices` of a Choice state; returns the rules' `Next` targets. */
export function checkChoices(
  choices: unknown,
  pointer: string,
  language: QueryLanguage,
  report: Report,
): Target[] {
  if (!Array.isArray(choices) || choices.length === 0) {
    report(pointer, "Choices must be a non-empty array of rules");
    return [];
  }
  const targets: Target[] = [];
  choices.forEach((rule, i) => {
    const at = joinPointer(pointer, i);
    if (!isRecord(rule)) {
      report(at, "A Choice rule must be an object");
      return;
    }
    if (typeof rule["Next"] !== "string")
      report(joinPointer(at, "Next"), "A Choice rule needs a Next state name");
    else targets.push({ name: rule["Next"], pointer: joinPointer(at, "Next") });
    if ("Assign" in rule) checkAssign(rule["Assign"], joinPointer(at, "Assign"), report, language);
    if (language === "JSONata") {
      checkJsonataRule(rule, at, report);
      return;
    }
    if ("Condition" in rule || "Output" in rule) {
      const field = "Condition" in rule ? "Condition" : "Output";
      report(
        joinPointer(at, field),
        `Field '${field}' is only supported in JSONata; this state uses JSONPath`,
      );
      return;
    }
    try {
      compileChoiceRuleWith(rule, at, NO_PATHS);
    } catch (err) {
      if (!(err instanceof InvalidDefinitionError)) throw err;
      for (const p of err.problems) report(p.pointer, p.message);
      return;
    }
    checkRulePaths(rule, at, report);
  });
  return targets;
}

function checkErrorEquals(value: unknown, pointer: string, isLast: boolean, report: Report): void {
  if (!Array.isArray(value) || value.length === 0 || !value.every((e) => typeof e === "string")) {
    report(pointer, "ErrorEquals must be a non-empty array of error names");
    return;
  }
  if (value.includes("States.ALL")) {
    if (value.length > 1) report(pointer, "States.ALL must appear alone in ErrorEquals");
    if (!isLast) report(pointer, "A rule with States.ALL must be the last one");
  }
}

const RETRY_FIELDS = new Set([
  "ErrorEquals",
  "IntervalSeconds",
  "MaxAttempts",
  "BackoffRate",
  "MaxDelaySeconds",
  "JitterStrategy",
  "Comment",
]);

export function checkRetry(retry: unknown, pointer: string, report: Report): void {
  if (!Array.isArray(retry)) {
    report(pointer, "Retry must be an array of retriers");
    return;
  }
  retry.forEach((r, i) => {
    const at = joinPointer(pointer, i);
    if (!isRecord(r)) return report(at, "A retrier must be an object");
    for (const key of Object.keys(r)) {
      if (!RETRY_FIELDS.has(key))
        report(joinPointer(at, key), `Field '${key}' is not supported in a retrier`);
    }
    checkErrorEquals(r["ErrorEquals"], joinPointer(at, "ErrorEquals"), i === retry.length - 1, report);
    const positiveInt = (field: string): void => {
      const v = r[field];
      if (v !== undefined && !(isNonNegInt(v) && (v as number) >= 1))
        report(joinPointer(at, field), `${field} must be a positive integer`);
    };
    positiveInt("IntervalSeconds");
    positiveInt("MaxDelaySeconds");
    if (r["MaxAttempts"] !== undefined && !isNonNegInt(r["MaxAttempts"])) {
      report(joinPointer(at, "MaxAttempts"), "MaxAttempts must be a non-negative integer");
    }
    const rate = r["BackoffRate"];
    if (rate !== undefined && !(typeof rate === "number" && rate >= 1)) {
      report(joinPointer(at, "BackoffRate"), "BackoffRate must be a number of at least 1.0");
    }
    const jitter = r["JitterStrategy"];
    if (jitter !== undefined && jitter !== "FULL" && jitter !== "NONE") {
      report(joinPointer(at, "JitterStrategy"), "JitterStrategy must be FULL or NONE");
    }
  });
}

/** `Catch` of a Task, Parallel or Map state; returns the catchers' `Next` targets. */
export function checkCatch(
  catchers: unknown,
  pointer: string,
  language: QueryLanguage,
  report: Report,
): Target[] {
  if (!Array.isArray(catchers)) {
    report(pointer, "Catch must be an array of catchers");
    return [];
  }
  const targets: Target[] = [];
  const allowed = new Set([
    "ErrorEquals",
    "Next",
    "Comment",
    "Assign",
    language === "JSONPath" ? "ResultPath" : "Output",
  ]);
  catchers.forEach((c, i) => {
    const at = joinPointer(pointer, i);
    if (!isRecord(c)) return report(at, "A catcher must be an object");
    for (const key of Object.keys(c)) {
      if (!allowed.has(key))
        report(joinPointer(at, key), `Field '${key}' is not supported in a ${language} catcher`);
    }
    checkErrorEquals(c["ErrorEquals"], joinPointer(at, "ErrorEquals"), i === catchers.length - 1, report);
    if (typeof c["Next"] !== "string") report(joinPointer(at, "Next"), "A catcher needs a Next state name");
    else targets.push({ name: c["Next"], pointer: joinPointer(at, "Next") });
    if ("ResultPath" in c && language === "JSONPath")
      checkPath(c["ResultPath"], joinPointer(at, "ResultPath"), report, "reference", true);
    if ("Output" in c && language === "JSONata")
      checkJsonataTemplate(c["Output"], joinPointer(at, "Output"), report);
    if ("Assign" in c) checkAssign(c["Assign"], joinPointer(at, "Assign"), report, language);
  });
  return targets;
}
