/**
 * The contract between the engine's stepping loop and each state type. A handler receives a Turn
 * (the state, its frame, the step's Env) and returns the frame's next form; it may throw AslError,
 * which the loop routes through Retry/Catch.
 */
import type { CompiledState, Graph, StateOf, StateType } from "../engine/compiled.ts";
import type { Turn } from "../engine/turn.ts";
import { withResult } from "../engine/results.ts";
import type { Fan, Frame } from "../types.ts";

export interface FanHooks<S extends CompiledState> {
  /** The graph child `index` runs. */
  graph(st: S, index: number): Graph;
  /** Start child `fan.next`; `act` are the active children. */
  start(t: Turn<S>, fan: Fan, act: readonly Frame[]): Frame;
  /** Child at `act[k]` finished with frame `kid` (ph "done"). */
  succeeded(t: Turn<S>, fan: Fan, act: readonly Frame[], k: number, kid: Frame): Frame;
  /** Child at `act[k]` failed with frame `kid` (ph "failed"). */
  failed(t: Turn<S>, fan: Fan, act: readonly Frame[], k: number, kid: Frame): Frame;
  /** All children finished. */
  complete(t: Turn<S>, fan: Fan): Frame;
}

export interface StateHandler<S extends CompiledState> {
  /** The state is entered (or re-entered for a retry). */
  enter(t: Turn<S>): Frame;
  /** A task result arrived (ph "result"). */
  result?(t: Turn<S>): Frame;
  /** The state's timer fired (ph "timer", tk "wait"). */
  timer?(t: Turn<S>): Frame;
  fan?: FanHooks<S>;
}

export type HandlerTable = { readonly [T in StateType]: StateHandler<StateOf<T>> };

/**
 * A fan with active child `k` removed and its output recorded at the child's index: copies the
 * active list and one results chunk (O(active + √n)), shares everything else.
 */
export function recordChild(
  fan: Fan,
  act: readonly Frame[],
  k: number,
  index: number,
  output: unknown,
  failed: boolean,
): { fan: Fan; act: Frame[] } {
  const out = withResult(fan.out, fan.cs, fan.n, index, output);
  return {
    fan: { ...fan, out, fin: fan.fin + 1, bad: failed ? fan.bad + 1 : fan.bad },
    act: act.length === 1 ? [] : act.filter((_, j) => j !== k),
  };
}
