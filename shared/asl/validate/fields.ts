/**
 * Which fields each state type accepts, split by query language: JSONPath states shape data with
 * `InputPath`/`Parameters`/`ResultSelector`/`ResultPath`/`OutputPath`, JSONata states with
 * `Arguments`/`Output`. A field outside these tables is unknown to Step Functions.
 */
import type { QueryLanguage } from "../types.ts";

export const STATE_TYPES = ["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"] as const;
export type StateType = (typeof STATE_TYPES)[number];

export const isStateType = (t: unknown): t is StateType => (STATE_TYPES as readonly unknown[]).includes(t);

interface FieldSets {
  /** Allowed in either query language. */
  readonly both: readonly string[];
  readonly jsonPath: readonly string[];
  readonly jsonata: readonly string[];
}

const COMMON = ["Type", "Comment", "QueryLanguage"];
const TRANSITION = ["Next", "End"];
const IO_PATHS = ["InputPath", "OutputPath"];
const RESULT = ["Parameters", "ResultSelector", "ResultPath"];

const FIELDS: { readonly [T in StateType]: FieldSets } = {
  Pass: {
    both: [...COMMON, ...TRANSITION, "Result", "Assign"],
    jsonPath: [...IO_PATHS, "Parameters", "ResultPath"],
    jsonata: ["Output"],
  },
  Task: {
    both: [
      ...COMMON,
      ...TRANSITION,
      "Resource",
      "Retry",
      "Catch",
      "TimeoutSeconds",
      "HeartbeatSeconds",
      "Credentials",
      "Assign",
    ],
    jsonPath: [...IO_PATHS, ...RESULT, "TimeoutSecondsPath", "HeartbeatSecondsPath"],
    jsonata: ["Arguments", "Output"],
  },
  Choice: { both: [...COMMON, "Choices", "Default", "Assign"], jsonPath: IO_PATHS, jsonata: ["Output"] },
  Wait: {
    both: [...COMMON, ...TRANSITION, "Seconds", "Timestamp", "Assign"],
    jsonPath: [...IO_PATHS, "SecondsPath", "TimestampPath"],
    jsonata: ["Output"],
  },
  Succeed: { both: COMMON, jsonPath: IO_PATHS, jsonata: ["Output"] },
  Fail: { both: [...COMMON, "Error", "Cause"], jsonPath: ["ErrorPath", "CausePath"], jsonata: [] },
  Parallel: {
    both: [...COMMON, ...TRANSITION, "Branches", "Retry", "Catch", "Assign"],
    jsonPath: [...IO_PATHS, ...RESULT],
    jsonata: ["Arguments", "Output"],
  },
  Map: {
    both: [
      ...COMMON,
      ...TRANSITION,
      "ItemProcessor",
      "Iterator",
      "ItemReader",
      "ItemSelector",
      "ItemBatcher",
      "ResultWriter",
      "MaxConcurrency",
      "ToleratedFailureCount",
      "ToleratedFailurePercentage",
      "Label",
      "Retry",
      "Catch",
      "Assign",
    ],
    jsonPath: [
      ...IO_PATHS,
      ...RESULT,
      "ItemsPath",
      "MaxConcurrencyPath",
      "ToleratedFailureCountPath",
      "ToleratedFailurePercentagePath",
    ],
    jsonata: ["Items", "Output"],
  },
};

export type FieldVerdict = "ok" | "unknown" | "jsonPathOnly" | "jsonataOnly";

/** Whether `field` may appear on a `type` state written in `language`. */
export function fieldVerdict(type: StateType, field: string, language: QueryLanguage): FieldVerdict {
  const sets = FIELDS[type];
  if (sets.both.includes(field)) return "ok";
  if (sets.jsonPath.includes(field)) return language === "JSONPath" ? "ok" : "jsonPathOnly";
  if (sets.jsonata.includes(field)) return language === "JSONata" ? "ok" : "jsonataOnly";
  return "unknown";
}

/** Pairs of fields of which a state may carry at most one. */
export const EXCLUSIVE_FIELDS: readonly (readonly [StateType, readonly string[]])[] = [
  ["Task", ["TimeoutSeconds", "TimeoutSecondsPath"]],
  ["Task", ["HeartbeatSeconds", "HeartbeatSecondsPath"]],
  ["Wait", ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]],
  ["Fail", ["Error", "ErrorPath"]],
  ["Fail", ["Cause", "CausePath"]],
  ["Map", ["ItemProcessor", "Iterator"]],
  ["Map", ["ItemSelector", "Parameters"]],
  ["Map", ["Items", "ItemsPath"]],
  ["Map", ["MaxConcurrency", "MaxConcurrencyPath"]],
  ["Map", ["ToleratedFailureCount", "ToleratedFailureCountPath"]],
  ["Map", ["ToleratedFailurePercentage", "ToleratedFailurePercentagePath"]],
];
