/**
 * Choice rules (JSONPath mode): `compileChoiceRule` turns one entry of a Choice state's `Choices`
 * into a predicate over the state's path context. JSONata `Condition` rules are the engine's.
 */
import { evaluatePath } from "../path/jsonpath.ts";
import { compileChoiceRuleWith, type CompiledChoiceRule } from "./rule-compiler.ts";

export type { CompiledChoiceRule, PathEvaluator } from "./rule-compiler.ts";
export { compileChoiceRuleWith, invalidChoicePathCause } from "./rule-compiler.ts";
export { CHOICE_OPERATORS, CHOICE_COMBINATORS, CHOICE_RULE_META_FIELDS } from "./operators.ts";
export { parseTimestamp, isTimestamp, compareTimestamps, type Timestamp } from "./timestamp.ts";
export { compileStringMatches } from "./string-matches.ts";

/**
 * Compiles a Choice rule (`Variable` + one comparison operator, or `And`/`Or`/`Not`) once into a
 * fast predicate. `pointer` locates the rule in the definition (`/States/C/Choices/0`) for the
 * `InvalidDefinitionError` thrown on a malformed rule. Evaluating throws `AslError` on runtime
 * failures (a condition path that matches nothing is `States.Runtime`).
 */
export function compileChoiceRule(rule: unknown, pointer: string): CompiledChoiceRule {
  return compileChoiceRuleWith(rule, pointer, evaluatePath);
}
