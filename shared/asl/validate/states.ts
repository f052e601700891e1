/**
 * Checks one state: its Type, which fields it may carry in its query language, transitions,
 * expressions (paths, intrinsics, JSONata), type-specific values, and — through `walk` — the
 * state machines nested in Parallel `Branches` and Map `ItemProcessor` / `Iterator`.
 */
import { parseTimestamp } from "../choice/timestamp.ts";
import type { QueryLanguage } from "../types.ts";
import {
  checkAssign,
  checkDynamicValue,
  checkJsonataTemplate,
  checkPath,
  checkPayloadTemplate,
  jsonataText,
  type Report,
} from "./expressions.ts";
import { EXCLUSIVE_FIELDS, fieldVerdict, isStateType, STATE_TYPES, type StateType } from "./fields.ts";
import { joinPointer } from "./problems.ts";
import { checkCatch, checkChoices, checkRetry, type Target } from "./rules.ts";
import { stateSchemaProblems } from "./schema.ts";

export type SubMachineKind = "branch" | "processor";

export interface StateWalk {
  readonly report: Report;
  /** The definition's top-level query language. */
  readonly topLanguage: QueryLanguage;
  checkSubMachine(machine: unknown, pointer: string, language: QueryLanguage, kind: SubMachineKind): void;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isNonNegInt = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0;

const JSONPATH_PATHS: Readonly<Record<string, "path" | "reference" | "dynamic">> = {
  SecondsPath: "path",
  TimestampPath: "path",
  ItemsPath: "path",
  TimeoutSecondsPath: "path",
  HeartbeatSecondsPath: "path",
  MaxConcurrencyPath: "path",
  ToleratedFailureCountPath: "path",
  ToleratedFailurePercentagePath: "path",
  ErrorPath: "dynamic",
  CausePath: "dynamic",
};
const PAYLOAD_TEMPLATES = ["Parameters", "ResultSelector", "ItemSelector", "Credentials"];
const JSONATA_FIELDS = [
  "Arguments",
  "Output",
  "Items",
  "ItemSelector",
  "Credentials",
  "Seconds",
  "Timestamp",
  "TimeoutSeconds",
  "HeartbeatSeconds",
  "MaxConcurrency",
  "ToleratedFailureCount",
  "ToleratedFailurePercentage",
  "Error",
  "Cause",
];

function stateLanguage(
  state: Record<string, unknown>,
  pointer: string,
  inherited: QueryLanguage,
  walk: StateWalk,
): QueryLanguage {
  const own = state["QueryLanguage"];
  if (own === undefined) return inherited;
  if (own !== "JSONPath" && own !== "JSONata") {
    walk.report(joinPointer(pointer, "QueryLanguage"), "QueryLanguage must be JSONPath or JSONata");
    return inherited;
  }
  if (own === "JSONPath" && walk.topLanguage === "JSONata") {
    walk.report(
      joinPointer(pointer, "QueryLanguage"),
      "A state cannot use JSONPath when the state machine's QueryLanguage is JSONata",
    );
  }
  return own;
}

function checkFields(
  state: Record<string, unknown>,
  type: StateType,
  language: QueryLanguage,
  pointer: string,
  report: Report,
): void {
  for (const field of Object.keys(state)) {
    const verdict = fieldVerdict(type, field, language);
    const at = joinPointer(pointer, field);
    if (verdict === "unknown") report(at, `Field '${field}' is not supported in a ${type} state`);
    else if (verdict === "jsonPathOnly")
      report(at, `Field '${field}' is only supported in JSONPath; this state uses JSONata`);
    else if (verdict === "jsonataOnly")
      report(at, `Field '${field}' is only supported in JSONata; this state uses JSONPath`);
  }
  for (const [t, group] of EXCLUSIVE_FIELDS) {
    if (t !== type) continue;
    const present = group.filter((f) => f in state);
    if (present.length > 1) report(pointer, `A ${type} state may have only one of ${present.join(", ")}`);
  }
}

function checkTransition(
  state: Record<string, unknown>,
  type: StateType,
  pointer: string,
  report: Report,
): Target[] {
  const hasNext = "Next" in state;
  const hasEnd = "End" in state;
  if (type === "Choice" || type === "Succeed" || type === "Fail") {
    return []; // a Next or End here is reported as an unsupported field
  }
  if (hasEnd && state["End"] !== true) report(joinPointer(pointer, "End"), "End must be true");
  if (hasNext && hasEnd) report(pointer, "A state cannot have both Next and End");
  if (!hasNext && !hasEnd) report(pointer, "A non-terminal state needs Next or End");
  if (!hasNext) return [];
  if (typeof state["Next"] !== "string") {
    report(joinPointer(pointer, "Next"), "Next must be a state name");
    return [];
  }
  return [{ name: state["Next"], pointer: joinPointer(pointer, "Next") }];
}

function checkExpressions(
  state: Record<string, unknown>,
  language: QueryLanguage,
  pointer: string,
  report: Report,
): void {
  const at = (field: string): string => joinPointer(pointer, field);
  if ("Assign" in state) checkAssign(state["Assign"], at("Assign"), report, language);
  if (language === "JSONata") {
    for (const field of JSONATA_FIELDS)
      if (field in state) checkJsonataTemplate(state[field], at(field), report);
    return;
  }
  if ("InputPath" in state) checkPath(state["InputPath"], at("InputPath"), report, "path", true);
  if ("OutputPath" in state) checkPath(state["OutputPath"], at("OutputPath"), report, "path", true);
  if ("ResultPath" in state) checkPath(state["ResultPath"], at("ResultPath"), report, "reference", true);
  for (const field of PAYLOAD_TEMPLATES)
    if (field in state) checkPayloadTemplate(state[field], at(field), report);
  for (const [field, kind] of Object.entries(JSONPATH_PATHS)) {
    if (!(field in state)) continue;
    if (kind === "dynamic") checkDynamicValue(state[field], at(field), report);
    else checkPath(state[field], at(field), report, kind);
  }
}

/** A literal that JSONata mode may also give as an expression string. */
const literalOr = (value: unknown, language: QueryLanguage, test: (v: unknown) => boolean): boolean =>
  test(value) || (language === "JSONata" && jsonataText(value) !== undefined);

function checkValues(
  state: Record<string, unknown>,
  type: StateType,
  language: QueryLanguage,
  pointer: string,
  report: Report,
): void {
  const check = (field: string, test: (v: unknown) => boolean, expected: string): void => {
    if (field in state && !literalOr(state[field], language, test))
      report(joinPointer(pointer, field), `${field} must be ${expected}`);
  };
  const positiveInt = (v: unknown): boolean => isNonNegInt(v) && (v as number) > 0;
  switch (type) {
    case "Wait":
      check("Seconds", isNonNegInt, "a non-negative integer");
      check(
        "Timestamp",
        (v) => parseTimestamp(v) !== undefined,
        "an ISO-8601 timestamp such as 2016-03-14T01:59:00Z",
      );
      if (!["Seconds", "SecondsPath", "Timestamp", "TimestampPath"].some((f) => f in state)) {
        report(pointer, "A Wait state needs one of Seconds, SecondsPath, Timestamp or TimestampPath");
      }
      break;
    case "Task":
      if (typeof state["Resource"] !== "string")
        report(joinPointer(pointer, "Resource"), "A Task state needs a Resource string");
      check("TimeoutSeconds", positiveInt, "a positive integer");
      check("HeartbeatSeconds", positiveInt, "a positive integer");
      if (
        typeof state["TimeoutSeconds"] === "number" &&
        typeof state["HeartbeatSeconds"] === "number" &&
        state["HeartbeatSeconds"] >= state["TimeoutSeconds"]
      ) {
        report(
          joinPointer(pointer, "HeartbeatSeconds"),
          "HeartbeatSeconds must be smaller than TimeoutSeconds",
        );
      }
      break;
    case "Fail":
      check("Error", (v) => typeof v === "string", "a string");
      check("Cause", (v) => typeof v === "string", "a string");
      break;
    case "Map":
      check("MaxConcurrency", isNonNegInt, "a non-negative integer");
      check("ToleratedFailureCount", isNonNegInt, "a non-negative integer");
      check(
        "ToleratedFailurePercentage",
        (v) => typeof v === "number" && v >= 0 && v <= 100,
        "a number from 0 to 100",
      );
      break;
    case "Choice":
      if ("Default" in state && typeof state["Default"] !== "string")
        report(joinPointer(pointer, "Default"), "Default must be a state name");
      break;
    default:
      break;
  }
}

function checkNested(
  state: Record<string, unknown>,
  type: StateType,
  language: QueryLanguage,
  pointer: string,
  walk: StateWalk,
): void {
  if (type === "Parallel") {
    const branches = state["Branches"];
    if (!Array.isArray(branches) || branches.length === 0) {
      walk.report(joinPointer(pointer, "Branches"), "Branches must be a non-empty array of state machines");
      return;
    }
    branches.forEach((b, i) =>
      walk.checkSubMachine(b, joinPointer(pointer, "Branches", i), language, "branch"),
    );
  } else if (type === "Map") {
    const field = "ItemProcessor" in state ? "ItemProcessor" : "Iterator" in state ? "Iterator" : undefined;
    if (field === undefined)
      walk.report(pointer, "A Map state needs an ItemProcessor (or the legacy Iterator)");
    else walk.checkSubMachine(state[field], joinPointer(pointer, field), language, "processor");
  }
}

/** Checks `state` at `pointer`; returns the transitions it makes, for the scope to resolve. */
export function checkState(
  state: unknown,
  pointer: string,
  inherited: QueryLanguage,
  walk: StateWalk,
): Target[] {
  const { report } = walk;
  if (!isRecord(state)) {
    report(pointer, "A state must be an object");
    return [];
  }
  const type = state["Type"];
  if (!isStateType(type)) {
    report(
      joinPointer(pointer, "Type"),
      `Unknown state Type ${JSON.stringify(type)}; expected one of ${STATE_TYPES.join(", ")}`,
    );
    return [];
  }
  const language = stateLanguage(state, pointer, inherited, walk);
  const own: { pointer: string }[] = [];
  const tracking: Report = (p, m) => {
    own.push({ pointer: p });
    report(p, m);
  };
  checkFields(state, type, language, pointer, tracking);
  const targets = checkTransition(state, type, pointer, tracking);
  checkExpressions(state, language, pointer, tracking);
  checkValues(state, type, language, pointer, tracking);
  if (type === "Choice")
    targets.push(...checkChoices(state["Choices"], joinPointer(pointer, "Choices"), language, tracking));
  if ("Retry" in state) checkRetry(state["Retry"], joinPointer(pointer, "Retry"), tracking);
  if ("Catch" in state)
    targets.push(...checkCatch(state["Catch"], joinPointer(pointer, "Catch"), language, tracking));
  // Shape checks from asl-validator's schema, unless our own checks already flagged the same spot.
  for (const p of stateSchemaProblems(state, type, language, pointer)) {
    const related = own.some(
      (o) => (o.pointer !== pointer && p.pointer.startsWith(o.pointer)) || o.pointer.startsWith(p.pointer),
    );
    if (!related) report(p.pointer, p.message);
  }
  checkNested(state, type, language, pointer, walk);
  return targets;
}
