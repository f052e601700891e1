/**
 * The JSONPath-mode Choice comparison operators, by name. A data-test rule carries `Variable` and
 * exactly one of these; the validator and the compiler both read the names from here.
 */

export type OperandKind = "String" | "Numeric" | "Boolean" | "Timestamp";
export type Relation = "Equals" | "LessThan" | "GreaterThan" | "LessThanEquals" | "GreaterThanEquals";
export type TypeTest = "IsNull" | "IsPresent" | "IsNumeric" | "IsString" | "IsBoolean" | "IsTimestamp";

export type ChoiceOperator =
  | {
      readonly op: "compare";
      readonly kind: OperandKind;
      readonly relation: Relation;
      readonly path: boolean;
    }
  | { readonly op: "matches" }
  | { readonly op: "type"; readonly test: TypeTest };

const RELATIONS: readonly Relation[] = [
  "Equals",
  "LessThan",
  "GreaterThan",
  "LessThanEquals",
  "GreaterThanEquals",
];
const KINDS: readonly OperandKind[] = ["String", "Numeric", "Boolean", "Timestamp"];
const TYPE_TESTS: readonly TypeTest[] = [
  "IsNull",
  "IsPresent",
  "IsNumeric",
  "IsString",
  "IsBoolean",
  "IsTimestamp",
];

function buildTable(): ReadonlyMap<string, ChoiceOperator> {
  const table = new Map<string, ChoiceOperator>();
  for (const kind of KINDS) {
    for (const relation of kind === "Boolean" ? (["Equals"] as const) : RELATIONS) {
      table.set(`${kind}${relation}`, { op: "compare", kind, relation, path: false });
      table.set(`${kind}${relation}Path`, { op: "compare", kind, relation, path: true });
    }
  }
  table.set("StringMatches", { op: "matches" });
  for (const test of TYPE_TESTS) table.set(test, { op: "type", test });
  return table;
}

/** Every operator name a data-test rule may use, mapped to what it does. */
export const CHOICE_OPERATORS: ReadonlyMap<string, ChoiceOperator> = buildTable();

/** Boolean combinators of a Choice rule. */
export const CHOICE_COMBINATORS: ReadonlySet<string> = new Set(["And", "Or", "Not"]);

/** Fields a top-level Choice rule may carry beside its condition (nested rules carry none). */
export const CHOICE_RULE_META_FIELDS: ReadonlySet<string> = new Set(["Next", "Comment", "Assign"]);
