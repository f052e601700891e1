/**
 * Definition loading and validation. `validateDefinition` returns every problem it finds in a
 * parsed Amazon States Language definition, each located by a JSON pointer; `loadDefinition`
 * parses and validates in one step and throws `InvalidDefinitionError` on the first failure.
 */
import type { QueryLanguage } from "../types.ts";
import { checkMachine } from "./machine.ts";
import type { DefinitionProblem } from "./problems.ts";

export { InvalidDefinitionError, type DefinitionProblem } from "./problems.ts";
import { InvalidDefinitionError } from "./problems.ts";

/** Validates a parsed definition object; returns every problem found (empty = valid). */
export function validateDefinition(def: unknown): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const seen = new Set<string>();
  const report = (pointer: string, message: string): void => {
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ pointer, message });
  };
  let language: QueryLanguage = "JSONPath";
  if (typeof def === "object" && def !== null && "QueryLanguage" in def) {
    const ql = (def as { QueryLanguage: unknown }).QueryLanguage;
    if (ql === "JSONata" || ql === "JSONPath") language = ql;
    else report("/QueryLanguage", "QueryLanguage must be JSONPath or JSONata");
  }
  checkMachine(def, "", language, "top", { report, topLanguage: language, seenNames: new Map() });
  return problems;
}

/** Throws `InvalidDefinitionError` listing every problem when `def` does not validate. */
export function assertValidDefinition(def: unknown): void {
  const problems = validateDefinition(def);
  if (problems.length > 0) throw new InvalidDefinitionError(problems);
}

/** Parses ASL JSON text and validates it; a JSON syntax error is reported at pointer `""`. */
export function loadDefinition(text: string): unknown {
  let def: unknown;
  try {
    def = JSON.parse(text);
  } catch (err) {
    throw new InvalidDefinitionError([{ pointer: "", message: `Invalid JSON: ${(err as Error).message}` }]);
  }
  assertValidDefinition(def);
  return def;
}
