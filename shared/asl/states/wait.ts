/**
 * Wait: computes its wake-up time (Seconds, Timestamp, SecondsPath, TimestampPath or JSONata),
 * asks the caller for a `wait` effect, and exits when a later step runs at or after that time.
 */
import { queryError, runtimeError } from "../errors.ts";
import { parseTimestamp } from "../choice/timestamp.ts";
import { applyInputPath, finish } from "../engine/dataflow.ts";
import type { WaitState } from "../engine/compiled.ts";
import { fieldValue } from "../engine/fields.ts";
import { unexpectedType } from "../jsonata/template.ts";
import { evaluatePath } from "../path/jsonpath.ts";
import type { Turn } from "../engine/turn.ts";
import type { StateHandler } from "./handler.ts";

const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

function secondsUntil(t: Turn<WaitState>, eff: unknown): number {
  const field = t.st.seconds!;
  const value = fieldValue(t, field, eff);
  if (field.path !== undefined) {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw runtimeError(
        `The SecondsPath parameter cannot be parsed as a long value: ${field.path} == ${show(value)}`,
      );
    }
    if (value < 0)
      throw runtimeError(
        `The SecondsPath parameter references a negative value: ${field.path} == ${show(value)}`,
      );
  } else if (field.jsonata) {
    if (typeof value !== "number") throw unexpectedType("Seconds", field.source, "number", value);
    if (!Number.isInteger(value) || value < 0) {
      throw queryError(
        `The JSONata expression '${field.source ?? ""}' specified for the field 'Seconds' returned an invalid number of seconds: ${show(value)}`,
      );
    }
  }
  return t.env.now + (value as number) * 1000;
}

function timestampUntil(t: Turn<WaitState>, eff: unknown): number {
  const st = t.st;
  if (st.timestamp !== undefined) {
    const ts = parseTimestamp(st.timestamp);
    if (!ts)
      throw runtimeError(
        `The Timestamp field does not contain a valid ISO-8601 extended offset date-time format string: ${st.timestamp}`,
      );
    return ts.epochMs;
  }
  if (st.timestampPath !== undefined) {
    const value = evaluatePath(st.timestampPath, t.pathCtx(eff));
    const ts = parseTimestamp(value);
    if (!ts) {
      throw runtimeError(
        `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${st.timestampPath} == ${show(value)}`,
      );
    }
    return ts.epochMs;
  }
  const value = st.timestampJsonata!(t.states(), t.vars);
  if (typeof value !== "string") throw unexpectedType("Timestamp", st.timestampSource, "string", value);
  const ts = parseTimestamp(value);
  if (!ts) {
    throw queryError(
      `The JSONata expression '${st.timestampSource ?? ""}' specified for the field 'Timestamp' returned an invalid timestamp: ${value}`,
    );
  }
  return ts.epochMs;
}

export const waitHandler: StateHandler<WaitState> = {
  enter(t) {
    const eff = t.st.jsonata ? t.frame.in : applyInputPath(t);
    const until = t.st.seconds ? secondsUntil(t, eff) : timestampUntil(t, eff);
    t.env.effect({ kind: "wait", until });
    return t.with({ ph: "timer", tk: "wait", until });
  },
  timer(t) {
    const eff = t.st.jsonata ? t.frame.in : applyInputPath(t);
    const { output, assigned } = finish(t, eff, false);
    return t.exit(output, assigned, t.st.next);
  },
};
