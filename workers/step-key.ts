/**
 * The idempotency key a step handler gets: `<job>:<state>#<n>`, where `n` numbers the Task
 * invocations of the job's execution.
 *
 * The ASL engine gives every Task invocation its own task id, `<execution>#<n>` (engine/env.ts): the
 * execution's counter `seq` goes up by one each time a Task state is entered — each Map iteration,
 * each Parallel branch, each re-entry of a state in a loop, each retry — and the id is stored with
 * the pending task in the checkpoint. So the key is unique per invocation, and stable across
 * replays: a task is dispatched only once the state that issued it is stored (or, for a new
 * execution's first tasks, when a replay issues the very same ones; see workers/job-runner.ts), and
 * a resumed worker re-issues the stored pending task with its stored id.
 *
 * (The previous `<job>:<state>:<attempt>` was the same for every Map item and Parallel branch of a
 * state and for a state entered twice; the `#` keeps the two formats from ever being equal.)
 */
import type { TaskEffect } from "../shared/asl/index.ts";

/** The step idempotency key of `task` in job `jobId`. */
export function stepIdempotencyKey(jobId: string, task: Pick<TaskEffect, "taskId" | "stateName">): string {
  const hash = task.taskId.lastIndexOf("#");
  const n = hash >= 0 ? task.taskId.slice(hash + 1) : task.taskId;
  return `${jobId}:${task.stateName}#${n}`;
}
