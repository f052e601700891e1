/**
 * A Turn is one state being processed in one step: the compiled state, its frame, the step's Env
 * and the variables visible from the frame. It builds evaluation contexts lazily and moves the
 * frame on (to the next state, to the end of its graph, or into a waiting phase).
 */
import type { PathContext } from "../path/context.ts";
import type { Frame } from "../types.ts";
import type { CompiledState } from "./compiled.ts";
import { visibleVars, type Env, type Vars } from "./env.ts";

const NO_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze({});

export class Turn<S extends CompiledState = CompiledState> {
  private ctxCache: Record<string, unknown> | undefined;
  private varsCache: Vars | undefined;
  /** When the state was entered (epoch ms) and the id of its StateEntered event. */
  readonly at: number;
  readonly eid: number;

  constructor(
    readonly env: Env,
    readonly st: S,
    readonly frame: Frame,
    readonly outer: Vars | undefined,
    entered?: { at: number; eid: number },
  ) {
    this.at = entered?.at ?? frame.at ?? env.now;
    this.eid = entered?.eid ?? frame.eid ?? env.ev;
  }

  get vars(): Vars {
    return (this.varsCache ??= visibleVars(this.outer, this.frame.vars));
  }

  /** The context object; a shared empty object when no field of the state reads it. */
  context(): Record<string, unknown> {
    if (!this.st.usesContext) return NO_CONTEXT;
    return (this.ctxCache ??= this.env.context(this.frame, this.st.name, this.at));
  }

  pathCtx(input: unknown, context?: Record<string, unknown>): PathContext {
    return { input, context: context ?? this.context(), variables: this.vars };
  }

  /** The `$states` binding for JSONata fields. */
  states(extra?: Record<string, unknown>): Record<string, unknown> {
    const states: Record<string, unknown> = { input: this.frame.in, context: this.context() };
    return extra ? Object.assign(states, extra) : states;
  }

  /** The frame's own variables after `assigned` (undefined = unchanged). */
  assignVars(assigned: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (!assigned) return this.frame.vars;
    return this.frame.vars ? { ...this.frame.vars, ...assigned } : assigned;
  }

  /** Leave the state with `output` towards `next` (or end the graph when next is undefined). */
  exit(output: unknown, assigned: Record<string, unknown> | undefined, next: string | undefined): Frame {
    const { env, st, frame } = this;
    env.emit(`${st.type}StateExited`, st.name, () => ({ output }));
    const vars = this.assignVars(assigned);
    if (next === undefined) return done(frame, output, vars);
    const f: Frame = { s: next, in: output, ph: "enter" };
    if (vars) f.vars = vars;
    if (frame.i !== undefined) f.i = frame.i;
    return f;
  }

  /** Replace the frame's phase data, keeping its identity fields. */
  with(patch: Partial<Frame>): Frame {
    const f = this.frame;
    const base: Frame = { s: f.s, in: f.in, ph: f.ph, at: this.at, eid: this.eid };
    if (f.vars) base.vars = f.vars;
    if (f.rc) base.rc = f.rc;
    if (f.i !== undefined) base.i = f.i;
    return Object.assign(base, patch);
  }
}

export function done(frame: Frame, output: unknown, vars: Record<string, unknown> | undefined): Frame {
  const f: Frame = { s: frame.s, in: null, ph: "done", out: output };
  if (vars) f.vars = vars;
  if (frame.i !== undefined) f.i = frame.i;
  return f;
}

export function failed(frame: Frame, error: string | undefined, cause: string | undefined): Frame {
  const f: Frame = { s: frame.s, in: null, ph: "failed", err: { error, cause } };
  if (frame.i !== undefined) f.i = frame.i;
  return f;
}
