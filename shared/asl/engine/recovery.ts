/**
 * What happens when a state raises an error: Retry (backoff timer) or Catch (on to a fallback
 * state) or the frame fails. Matching follows Step Functions: `States.ALL` matches every error
 * except the terminal ones (`States.Runtime`, `States.DataLimitExceeded`), which nothing catches;
 * `States.TaskFailed` matches any error of a Task except `States.Timeout`.
 */
import { AslError } from "../errors.ts";
import { applyResultPath } from "../path/reference.ts";
import type { ErrorInfo, Frame } from "../types.ts";
import type { Retrier } from "./compiled.ts";
import { failed, type Turn } from "./turn.ts";

const TERMINAL = new Set(["States.Runtime", "States.DataLimitExceeded"]);

export function errorMatches(
  names: readonly string[],
  error: string | undefined,
  fromTask: boolean,
): boolean {
  if (error !== undefined && TERMINAL.has(error)) return false;
  for (const name of names) {
    if (name === error) return true;
    if (name === "States.ALL") return true;
    if (name === "States.TaskFailed" && fromTask && error !== "States.Timeout") return true;
  }
  return false;
}

/** Delay in ms before retry number `attempt` (0-based) of `r`. */
export function retryDelayMs(r: Retrier, attempt: number, random: () => number): number {
  let seconds = r.interval * Math.pow(r.backoff, attempt);
  if (r.maxDelay !== undefined && seconds > r.maxDelay) seconds = r.maxDelay;
  if (r.jitter) seconds = seconds * random();
  return Math.round(seconds * 1000);
}

/** Route error `e` raised in the turn's state through its Retry and Catch. */
export function recover(t: Turn, e: ErrorInfo): Frame {
  const { st, env } = t;
  const fromTask = st.type === "Task";
  for (let j = 0; j < st.retry.length; j++) {
    const r = st.retry[j]!;
    if (!errorMatches(r.errors, e.error, fromTask)) continue;
    const used = t.frame.rc?.[j] ?? 0;
    if (used >= r.maxAttempts) break;
    const rc = t.frame.rc ? t.frame.rc.slice() : [];
    while (rc.length < st.retry.length) rc.push(0);
    rc[j] = used + 1;
    const until = env.now + retryDelayMs(r, used, env.deps.random);
    env.effect({ kind: "wait", until });
    return t.with({ ph: "timer", tk: "retry", until, rc });
  }
  for (const c of st.catch) {
    if (!errorMatches(c.errors, e.error, fromTask)) continue;
    const errorOutput: Record<string, unknown> = {};
    if (e.error !== undefined) errorOutput.Error = e.error;
    if (e.cause !== undefined) errorOutput.Cause = e.cause;
    let output: unknown;
    let assigned: Record<string, unknown> | undefined;
    try {
      if (st.jsonata) {
        const states = t.states({ errorOutput });
        assigned = c.assignJsonata ? (c.assignJsonata(states, t.vars) as Record<string, unknown>) : undefined;
        output = c.output ? c.output(states, t.vars) : errorOutput;
      } else {
        assigned = c.assignPath
          ? (c.assignPath(t.pathCtx(errorOutput), env.deps) as Record<string, unknown>)
          : undefined;
        output = applyResultPath(t.frame.in, errorOutput, c.resultPath);
      }
    } catch (err) {
      const ae = err instanceof AslError ? err : new AslError("States.Runtime", String(err));
      return failed(t.frame, ae.error, stateCause(t, ae.cause));
    }
    const f = t.exit(output, assigned, c.next);
    return f;
  }
  return failed(t.frame, e.error, e.cause);
}

/** AWS prefixes causes of errors the interpreter raises with where they happened. */
export function stateCause(t: Turn, cause: string | undefined): string {
  const eid = t.eid;
  return `An error occurred while executing the state '${t.st.name}' (entered at the event id #${eid}). ${cause ?? ""}`;
}
