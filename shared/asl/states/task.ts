/**
 * Task: hands its effective input to the caller as a `task` effect and waits; `completeTask` /
 * `failTask` bring the result or error back, processed in the next step.
 */
import { effectiveInput, applyInputPath, finish } from "../engine/dataflow.ts";
import type { TaskState } from "../engine/compiled.ts";
import { resolveInteger } from "../engine/fields.ts";
import type { PendingTask, TaskEffect } from "../types.ts";
import type { StateHandler } from "./handler.ts";

export const taskHandler: StateHandler<TaskState> = {
  enter(t) {
    const { st, env } = t;
    const token = st.waitForToken ? env.deps.uuid() : undefined;
    const extra = token !== undefined ? { Task: { Token: token } } : undefined;
    const input = effectiveInput(t, extra);
    const base =
      st.timeout?.path !== undefined || st.heartbeat?.path !== undefined ? applyInputPath(t) : t.frame.in;
    const timeoutSeconds = resolveInteger(t, st.timeout, base, "TimeoutSeconds");
    const heartbeatSeconds = resolveInteger(t, st.heartbeat, base, "HeartbeatSeconds");
    const taskId = env.nextTaskId();
    const attempt = t.frame.rc ? t.frame.rc.reduce((a, b) => a + b, 0) : 0;
    env.emit("TaskScheduled", st.name, () => ({
      resource: st.resource,
      parameters: input,
      timeoutSeconds,
      heartbeatSeconds,
    }));
    const task: PendingTask = { id: taskId, input, attempt };
    if (token !== undefined) task.token = token;
    if (timeoutSeconds !== undefined) task.timeout = timeoutSeconds;
    if (heartbeatSeconds !== undefined) task.heartbeat = heartbeatSeconds;
    env.effect(taskEffect(st, task));
    return t.with({ ph: "task", task });
  },
  result(t) {
    t.env.emit("TaskSucceeded", t.st.name, () => ({ output: t.frame.res }));
    const { output, assigned } = finish(t, t.frame.res, true);
    return t.exit(output, assigned, t.st.next);
  },
};

/** The effect asking the caller to run `task` of state `st`. */
export function taskEffect(st: TaskState, task: PendingTask): TaskEffect {
  const effect: TaskEffect = {
    kind: "task",
    taskId: task.id,
    resource: st.resource,
    input: task.input,
    stateName: st.name,
    attempt: task.attempt,
  };
  if (task.token !== undefined) effect.taskToken = task.token;
  if (task.timeout !== undefined) effect.timeoutSeconds = task.timeout;
  if (task.heartbeat !== undefined) effect.heartbeatSeconds = task.heartbeat;
  if (st.credentials !== undefined) effect.credentials = st.credentials;
  return effect;
}
