/**
 * The stepping API. An execution is a plain-JSON ExecutionState; `step` performs one transition
 * and returns the new state (sharing every unchanged subtree with the old one), the effects the
 * caller must perform and, with `deps.history`, the history events. Task results come back
 * through completeTask/failTask; timers fire when `step` runs at or after their time.
 */
import { taskEffect } from "../states/task.ts";
import type {
  ExecutionOptions,
  ExecutionState,
  ExecutionStatus,
  Frame,
  StepDeps,
  StepResult,
  TaskEffect,
} from "../types.ts";
import { advance } from "./advance.ts";
import { MAX_PAYLOAD_BYTES } from "./compile.ts";
import type { CompiledMachine, Graph, TaskState } from "./compiled.ts";
import { Env } from "./env.ts";

const NONE: readonly never[] = Object.freeze([]);

export function startExecution(
  machine: CompiledMachine,
  input: unknown,
  opts: ExecutionOptions,
): ExecutionState {
  const ctx: ExecutionState["ctx"] = {
    id: opts.executionId,
    name: opts.executionName,
    sm: opts.stateMachineName,
    smId: opts.stateMachineId ?? `arn:aws:states:local:000000000000:stateMachine:${opts.stateMachineName}`,
    start: opts.startTime,
  };
  if (machine.usesContext) ctx.input = input;
  if (opts.roleArn !== undefined) ctx.role = opts.roleArn;
  return {
    v: 2,
    def: machine.hash,
    ctx,
    root: { s: machine.graph.startAt, in: input, ph: "enter" },
    seq: 0,
    ev: 0,
  };
}

function checkMachine(machine: CompiledMachine, exec: ExecutionState): void {
  if (exec.v !== 2) {
    throw new Error(
      `execution ${exec.ctx.id} has checkpoint format v${String(exec.v)}; this engine reads v2`,
    );
  }
  if (exec.def !== machine.hash) {
    throw new Error(`execution ${exec.ctx.id} runs definition ${exec.def}, not ${machine.hash}`);
  }
}

export function step(machine: CompiledMachine, exec: ExecutionState, deps: StepDeps): StepResult {
  checkMachine(machine, exec);
  if (exec.end) return { state: exec, effects: NONE, events: NONE };
  const env = new Env(deps, exec.ctx, exec.seq, exec.ev);
  if (exec.ev === 0) env.emit("ExecutionStarted", undefined, () => ({ input: exec.root.in }));
  const root = advance(machine.graph, exec.root, env, undefined);
  if (root === null) return { state: exec, effects: NONE, events: NONE };
  const state: ExecutionState = { v: 2, def: exec.def, ctx: exec.ctx, root, seq: env.seq, ev: env.ev };
  if (root.ph === "done") {
    const output = root.out;
    env.emit("ExecutionSucceeded", undefined, () => ({ output }));
    state.root = { s: root.s, in: null, ph: "done" };
    state.end = { ok: true, output };
    env.effect({ kind: "succeed", output });
  } else if (root.ph === "failed") {
    const { error, cause } = root.err ?? { error: undefined, cause: undefined };
    env.emit("ExecutionFailed", undefined, () => ({ error, cause }));
    state.root = { s: root.s, in: null, ph: "failed" };
    state.end = { ok: false, error, cause };
    env.effect({ kind: "fail", error, cause });
  }
  state.ev = env.ev;
  return { state, effects: env.effects ?? NONE, events: env.events ?? NONE };
}

/** Rebuild `frame` with the pending task `taskId` replaced by `fn(frame)`; null when not found. */
function replaceTask(frame: Frame, taskId: string, fn: (f: Frame) => Frame): Frame | null {
  if (frame.ph === "task") return frame.task?.id === taskId ? fn(frame) : null;
  if (frame.ph !== "fan" || !frame.act) return null;
  const act = frame.act;
  for (let k = 0; k < act.length; k++) {
    const r = replaceTask(act[k]!, taskId, fn);
    if (r) {
      const next = act.slice();
      next[k] = r;
      return { ...frame, act: next };
    }
  }
  return null;
}

function settle(exec: ExecutionState, taskId: string, fn: (f: Frame) => Frame): ExecutionState {
  if (exec.end) return exec;
  const root = replaceTask(exec.root, taskId, fn);
  return root ? { ...exec, root } : exec;
}

function withoutTask(f: Frame): Frame {
  const copy = { ...f };
  delete copy.task;
  return copy;
}

/** Deliver a task's result. Unknown or already settled task ids are ignored (duplicates). */
export function completeTask(
  machine: CompiledMachine,
  exec: ExecutionState,
  taskId: string,
  output: unknown,
  _deps?: StepDeps,
): ExecutionState {
  checkMachine(machine, exec);
  const size = output !== null && typeof output === "object" ? Buffer.byteLength(JSON.stringify(output)) : 0;
  return settle(exec, taskId, (f) => {
    if (size > MAX_PAYLOAD_BYTES) {
      const cause = `The state/task '${f.s}' returned a result with a size exceeding the maximum number of bytes service limit.`;
      return { ...withoutTask(f), ph: "error", err: { error: "States.DataLimitExceeded", cause } };
    }
    return { ...withoutTask(f), ph: "result", res: output };
  });
}

/** Deliver a task's failure (use States.Timeout / States.HeartbeatTimeout for timeouts). */
export function failTask(
  machine: CompiledMachine,
  exec: ExecutionState,
  taskId: string,
  error: string,
  cause: string | undefined,
  _deps?: StepDeps,
): ExecutionState {
  checkMachine(machine, exec);
  return settle(exec, taskId, (f) => ({ ...withoutTask(f), ph: "error", err: { error, cause } }));
}

/** Fold over every frame of the tree. */
function visit(frame: Frame, fn: (f: Frame) => void): void {
  fn(frame);
  if (frame.act) for (const kid of frame.act) visit(kid, fn);
}

export function status(exec: ExecutionState): ExecutionStatus {
  if (exec.end) return exec.end.ok ? "succeeded" : "failed";
  let runnable = false;
  let timer = false;
  visit(exec.root, (f) => {
    if (f.ph === "enter" || f.ph === "result" || f.ph === "error") runnable = true;
    else if (f.ph === "timer") timer = true;
    else if (f.ph === "fan" && f.fan) {
      const fan = f.fan;
      const active = f.act?.length ?? 0;
      if (fan.next < fan.n && (fan.max === 0 || active < fan.max)) runnable = true;
      if (active === 0 && fan.next >= fan.n) runnable = true;
    }
  });
  return runnable ? "running" : timer ? "waiting_timer" : "waiting_task";
}

/** The earliest timer (Wait state or retry backoff), epoch ms; undefined when none is pending. */
export function wakeAt(exec: ExecutionState): number | undefined {
  if (exec.end) return undefined;
  let min: number | undefined;
  visit(exec.root, (f) => {
    if (f.ph === "timer" && f.until !== undefined && (min === undefined || f.until < min)) min = f.until;
  });
  return min;
}

/** The task effects still outstanding (to re-issue them after a worker restart). */
export function pendingTasks(machine: CompiledMachine, exec: ExecutionState): TaskEffect[] {
  checkMachine(machine, exec);
  const out: TaskEffect[] = [];
  if (exec.end) return out;
  const walk = (graph: Graph, frame: Frame): void => {
    const st = graph.states.get(frame.s);
    if (!st) return;
    if (frame.ph === "task" && frame.task && st.type === "Task")
      out.push(taskEffect(st as TaskState, frame.task));
    if (frame.ph === "fan" && frame.act) {
      for (const kid of frame.act) {
        const g = st.type === "Parallel" ? st.branches[kid.i!] : st.type === "Map" ? st.processor : undefined;
        if (g) walk(g, kid);
      }
    }
  };
  walk(machine.graph, exec.root);
  return out;
}
