/**
 * One transition somewhere in a frame tree. `advance` finds the first frame that can progress
 * (depth first, in child order) and returns the tree rebuilt along that path only, or null when
 * nothing can progress now (waiting for tasks or timers). Errors raised by a state become
 * `{Error, Cause}` and go through its Retry/Catch; nothing else escapes.
 */
import { AslError } from "../errors.ts";
import { handlerFor } from "../states/index.ts";
import type { Frame } from "../types.ts";
import type { CompiledState, Graph } from "./compiled.ts";
import type { Env, Vars } from "./env.ts";
import { recover, stateCause } from "./recovery.ts";
import { Turn } from "./turn.ts";

/** Marks causes of errors that escaped the interpreter itself (bugs), for the conformance runner. */
export const INTERNAL_ERROR_PREFIX = "Internal engine error: ";

export function advance(graph: Graph, frame: Frame, env: Env, outer: Vars | undefined): Frame | null {
  const ph = frame.ph;
  if (ph === "task" || ph === "done" || ph === "failed") return null;
  if (ph === "timer" && frame.until! > env.now) return null;
  const st = graph.states.get(frame.s);
  if (!st) throw new Error(`unknown state '${frame.s}' in execution state`);
  if (ph === "enter") return enter(st, frame, env, outer, false);
  const t = new Turn(env, st, frame, outer);
  try {
    switch (ph) {
      case "result":
        return handlerFor(st).result!(t);
      case "error":
        return recover(t, frame.err!);
      case "timer":
        return frame.tk === "retry" ? enter(st, frame, env, outer, true) : handlerFor(st).timer!(t);
      case "fan":
        return advanceFan(t);
    }
  } catch (err) {
    return raise(t, err);
  }
}

function enter(st: CompiledState, frame: Frame, env: Env, outer: Vars | undefined, retry: boolean): Frame {
  const entered = retry
    ? { at: frame.at ?? env.now, eid: frame.eid ?? env.ev }
    : { at: env.now, eid: env.emit(`${st.type}StateEntered`, st.name, () => ({ input: frame.in })) };
  const t = new Turn(env, st, frame, outer, entered);
  try {
    if (st.oversized) {
      throw new AslError(
        "States.DataLimitExceeded",
        `The state/task '${st.name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
      );
    }
    return handlerFor(st).enter(t);
  } catch (err) {
    return raise(t, err);
  }
}

function raise(t: Turn, err: unknown): Frame {
  if (err instanceof AslError) {
    const cause = err.error === "States.DataLimitExceeded" ? err.cause : stateCause(t, err.cause);
    return recover(t, { error: err.error, cause });
  }
  const message = err instanceof Error ? err.message : String(err);
  return recover(t, { error: "States.Runtime", cause: stateCause(t, INTERNAL_ERROR_PREFIX + message) });
}

function advanceFan(t: Turn): Frame | null {
  const st = t.st;
  if (st.type !== "Parallel" && st.type !== "Map") throw new Error(`state '${st.name}' cannot fan out`);
  const hooks = handlerFor(st).fan!;
  const tt = t as Turn<typeof st>;
  const fan = t.frame.fan!;
  const act = t.frame.act ?? [];
  const inner = t.vars;
  for (let k = 0; k < act.length; k++) {
    const kid = act[k]!;
    const r = advance(hooks.graph(st, kid.i!), kid, t.env, inner);
    if (r === null) continue;
    if (r.ph === "done") return hooks.succeeded(tt, fan, act, k, r);
    if (r.ph === "failed") return hooks.failed(tt, fan, act, k, r);
    const next = act.slice();
    next[k] = r;
    return t.with({ ph: "fan", fan, act: next });
  }
  if (fan.next < fan.n && (fan.max === 0 || act.length < fan.max)) return hooks.start(tt, fan, act);
  if (act.length === 0 && fan.next >= fan.n) return hooks.complete(tt, fan);
  return null;
}
