/**
 * asl-validator's JSON schemas, used for field shapes and types (Task `TimeoutSeconds` an integer,
 * `ItemReader` / `ItemBatcher` / `ProcessorConfig` layouts, Retry field types, …). We compile them
 * once with the Ajv that asl-validator itself depends on, instead of calling its entry point, which
 * builds a fresh Ajv per call (~50–100 ms a definition) and mutates the definition it is given.
 *
 * Each state is checked against the JSONPath or JSONata variant of its type's schema, so errors are
 * precise. Fields whose schema rejects definitions AWS accepts, or which our own checks cover
 * (expressions, payload templates, nested state machines), are stripped from the copy checked.
 */
import { createRequire } from "node:module";
import type { QueryLanguage } from "../types.ts";
import type { StateType } from "./fields.ts";
import type { DefinitionProblem } from "./problems.ts";

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}
type AjvValidate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface AjvInstance {
  addFormat(name: string, check: () => boolean): void;
  getSchema(ref: string): AjvValidate | undefined;
}

const SCHEMA_FILES = [
  "common",
  "paths",
  "jsonata",
  "choice",
  "fail",
  "parallel",
  "pass",
  "base-state-machine",
  "state-machine",
  "state",
  "succeed",
  "task",
  "wait",
  "map",
  "errors",
];
/** Formats we check ourselves (paths, intrinsics, JSONata) or do not restrict (ARNs). */
const OWN_FORMATS = [
  "asl_path",
  "asl_ref_path",
  "asl_result_path",
  "asl_payload_template",
  "asl_arn",
  "jsonata_string",
  "maybe_jsonata_string",
  "date-time",
];
const BASE = "http://asl-validator.cloud/";

/** Fields left out of the schema check: validated by our own code, or mis-described by the schema. */
const STRIPPED = new Set([
  "Parameters",
  "ResultSelector",
  "ItemSelector",
  "Assign",
  "Output",
  "Arguments",
  "Items",
  "Result",
  "Credentials",
  "Choices",
  "Branches",
  "ItemProcessor",
  "Iterator",
  "ToleratedFailurePercentage",
]);

let ajv: AjvInstance | undefined;

function getAjv(): AjvInstance {
  if (ajv !== undefined) return ajv;
  const root = createRequire(import.meta.url);
  // Resolve Ajv and the schema files through asl-validator, so we use exactly what it ships with.
  const fromValidator = createRequire(root.resolve("asl-validator"));
  const ajvModule = fromValidator("ajv") as { default?: unknown };
  const Ajv = (ajvModule.default ?? ajvModule) as new (opts: object) => AjvInstance;
  const schemas = SCHEMA_FILES.map((name) => fromValidator(`./schemas/${name}.json`) as object);
  const instance = new Ajv({ schemas, allowUnionTypes: true, allErrors: true, strict: false, logger: false });
  for (const format of OWN_FORMATS) instance.addFormat(format, () => true);
  ajv = instance;
  return instance;
}

const schemaFile = (type: StateType): string => type.toLowerCase();

/** Shape problems of one state (nested states are checked on their own), pointers under `pointer`. */
export function stateSchemaProblems(
  state: Record<string, unknown>,
  type: StateType,
  language: QueryLanguage,
  pointer: string,
): DefinitionProblem[] {
  const variant = language === "JSONPath" ? 0 : 1;
  const validate = getAjv().getSchema(`${BASE}${schemaFile(type)}.json#/oneOf/${variant}`);
  if (validate === undefined) return [];
  const copy: Record<string, unknown> = { QueryLanguage: language };
  for (const [k, v] of Object.entries(state)) if (!STRIPPED.has(k)) copy[k] = v;
  copy["QueryLanguage"] = language;
  if (validate(copy)) return [];
  const problems: DefinitionProblem[] = [];
  for (const error of validate.errors ?? []) {
    // Unknown fields and Next/End rules are reported by our own checks, with better messages.
    if (error.keyword === "additionalProperties" || error.keyword === "oneOf") continue;
    if (error.keyword === "required" && STRIPPED.has(String(error.params["missingProperty"]))) continue;
    const field = error.instancePath.split("/")[1] ?? "";
    if (field === "QueryLanguage" || field === "Next" || field === "End") continue;
    const name = error.instancePath.split("/").pop() || "The state";
    problems.push({
      pointer: pointer + error.instancePath,
      message: `${name} ${error.message ?? "is invalid"}`,
    });
  }
  return problems;
}
