/**
 * The mutable scratchpad of one `step` call: the injected deps, the clock reading, the effects and
 * history events produced, and the counters that end up in the next execution state. Everything
 * else in a step is immutable data.
 */
import type { Effect, ExecutionContextData, Frame, HistoryEvent, StepDeps } from "../types.ts";

export type Vars = Readonly<Record<string, unknown>>;

const EMPTY_VARS: Vars = Object.freeze({});
const merged = new WeakMap<object, { outer: Vars; value: Vars }>();

/** The variables a frame can read: its own over those of the enclosing scopes. */
export function visibleVars(outer: Vars | undefined, own: Vars | undefined): Vars {
  if (!own) return outer ?? EMPTY_VARS;
  if (!outer || outer === EMPTY_VARS) return own;
  const hit = merged.get(own);
  if (hit && hit.outer === outer) return hit.value;
  const value = { ...outer, ...own };
  merged.set(own, { outer, value });
  return value;
}

export class Env {
  readonly now: number;
  effects: Effect[] | undefined;
  readonly events: HistoryEvent[] | undefined;
  /** `history: "states"`: only state entries and exits, without details. */
  readonly #statesOnly: boolean;
  seq: number;
  ev: number;

  constructor(
    readonly deps: StepDeps,
    readonly exec: ExecutionContextData,
    seq: number,
    ev: number,
  ) {
    this.now = deps.now();
    this.events = deps.history ? [] : undefined;
    this.#statesOnly = deps.history === "states";
    this.seq = seq;
    this.ev = ev;
  }

  effect(effect: Effect): void {
    (this.effects ??= []).push(effect);
  }

  /** Record a history event (the id is always counted; the event is built only with history on). */
  emit(type: string, stateName?: string, details?: () => Record<string, unknown>): number {
    const id = ++this.ev;
    if (this.events) {
      if (this.#statesOnly) {
        if (stateName !== undefined && (type.endsWith("StateEntered") || type.endsWith("StateExited")))
          this.events.push({ id, type, timestamp: this.now, stateName });
        return id;
      }
      const event: HistoryEvent = { id, type, timestamp: this.now };
      if (stateName !== undefined) event.stateName = stateName;
      if (details) event.details = details();
      this.events.push(event);
    }
    return id;
  }

  nextTaskId(): string {
    return `${this.exec.id}#${++this.seq}`;
  }

  /** The context object (`$$`) for a frame in state `stateName`. */
  context(frame: Frame, stateName: string, at: number): Record<string, unknown> {
    const x = this.exec;
    const execution: Record<string, unknown> = {
      Id: x.id,
      Input: x.input,
      Name: x.name,
      StartTime: x.start,
      RedriveCount: 0,
    };
    if (x.role !== undefined) execution.RoleArn = x.role;
    const retries = frame.rc ? frame.rc.reduce((a, b) => a + b, 0) : 0;
    const ctx: Record<string, unknown> = {
      Execution: execution,
      State: { Name: stateName, EnteredTime: new Date(at).toISOString(), RetryCount: retries },
      StateMachine: { Id: x.smId, Name: x.sm },
    };
    if (frame.task?.token !== undefined) ctx.Task = { Token: frame.task.token };
    return ctx;
  }
}
