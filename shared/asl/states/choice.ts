/**
 * Choice: the first rule that matches picks the next state (its Assign/Output apply); otherwise
 * Default (with the state's Assign), otherwise States.NoChoiceMatched.
 */
import { AslError, queryError } from "../errors.ts";
import { applyInputPath, applyOutputPath } from "../engine/dataflow.ts";
import type { ChoiceBranch, ChoiceState } from "../engine/compiled.ts";
import type { Turn } from "../engine/turn.ts";
import type { Frame } from "../types.ts";
import type { StateHandler } from "./handler.ts";

function enterJsonPath(t: Turn<ChoiceState>): Frame {
  const eff = applyInputPath(t);
  const ctx = t.pathCtx(eff);
  let pick: ChoiceBranch | undefined;
  for (const c of t.st.choices) {
    if (c.test!(ctx)) {
      pick = c;
      break;
    }
  }
  const next = pick ? pick.next : t.st.default;
  if (next === undefined) throw noMatch();
  const assignTemplate = pick ? pick.assignPath : t.st.assignPath;
  const assigned = assignTemplate ? (assignTemplate(ctx, t.env.deps) as Record<string, unknown>) : undefined;
  return t.exit(applyOutputPath(t, eff), assigned, next);
}

function enterJsonata(t: Turn<ChoiceState>): Frame {
  const states = t.states();
  let pick: ChoiceBranch | undefined;
  for (const c of t.st.choices) {
    const v = c.condition!(states, t.vars);
    if (typeof v !== "boolean") {
      throw queryError(
        `The JSONata expression '${c.conditionSource ?? ""}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '${v === null ? "null" : Array.isArray(v) ? "array" : typeof v}' for value: ${JSON.stringify(v)}`,
      );
    }
    if (v) {
      pick = c;
      break;
    }
  }
  const next = pick ? pick.next : t.st.default;
  if (next === undefined) throw noMatch();
  const assignTemplate = pick ? pick.assignJsonata : t.st.assignJsonata;
  const outputTemplate = pick?.output ?? t.st.output;
  const assigned = assignTemplate ? (assignTemplate(states, t.vars) as Record<string, unknown>) : undefined;
  const output = outputTemplate ? outputTemplate(states, t.vars) : t.frame.in;
  return t.exit(output, assigned, next);
}

function noMatch(): AslError {
  return new AslError("States.NoChoiceMatched", "No Matches!");
}

export const choiceHandler: StateHandler<ChoiceState> = {
  enter: (t) => (t.st.jsonata ? enterJsonata(t) : enterJsonPath(t)),
};
