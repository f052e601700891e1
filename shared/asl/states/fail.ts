/**
 * Fail: ends its graph with an error. Error and Cause come from literals, reference paths or
 * intrinsics (`ErrorPath`/`CausePath`, evaluated on the raw input) or JSONata expressions.
 */
import { runtimeError } from "../errors.ts";
import type { FailState, StringField } from "../engine/compiled.ts";
import { evaluateIntrinsic, isIntrinsic } from "../intrinsics/index.ts";
import { evaluatePath } from "../path/jsonpath.ts";
import type { Turn } from "../engine/turn.ts";
import { failed } from "../engine/turn.ts";
import type { StateHandler } from "./handler.ts";

function resolve(t: Turn<FailState>, field: StringField | undefined, name: string): string | undefined {
  if (!field) return undefined;
  if (field.literal !== undefined) return field.literal;
  let value: unknown;
  if (field.path !== undefined) {
    const ctx = t.pathCtx(t.frame.in);
    value = isIntrinsic(field.path)
      ? evaluateIntrinsic(field.path, ctx, t.env.deps)
      : evaluatePath(field.path, ctx);
  } else if (field.jsonata) {
    value = field.jsonata(t.states(), t.vars);
  }
  if (typeof value !== "string") {
    throw runtimeError(`The ${name} field must resolve to a string but was ${JSON.stringify(value)}`);
  }
  return value;
}

export const failHandler: StateHandler<FailState> = {
  enter(t) {
    const error = resolve(t, t.st.error, t.st.jsonata ? "Error" : "ErrorPath");
    const cause = resolve(t, t.st.cause, t.st.jsonata ? "Cause" : "CausePath");
    return failed(t.frame, error, cause);
  },
};
