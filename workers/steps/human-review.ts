import type { TaskEffect } from "../../shared/asl/index.ts";
import { HUMAN_REVIEW_STEP, stepNameOf } from "../../shared/workflows/step-manifest.ts";
import { z } from "zod";
import { defineStep } from "../sdk/define-step.ts";

/** The review step's name: `arn:aws:states:<region>:<account>:activity:human-review`. */
export { HUMAN_REVIEW_STEP };

/**
 * Whether a Task waits for a human decision instead of running a handler: the review step, or any
 * Resource ending in `.waitForTaskToken`. The worker parks such a job in `needs_review` with the
 * task token and the Task's input; `approve` / `reject` (workers/review.ts) resume it.
 */
export function isReviewTask(task: Pick<TaskEffect, "resource" | "taskToken">): boolean {
  return task.taskToken !== undefined || stepNameOf(task.resource) === HUMAN_REVIEW_STEP;
}

/**
 * Registered so workflows naming the review step validate; the worker never calls it (it parks the
 * job), so a call means a wiring bug.
 */
export const humanReview = defineStep({
  name: HUMAN_REVIEW_STEP,
  description: "Parks the job in needs_review until `npm run review -- approve|reject` decides.",
  input: z.unknown(),
  output: z.unknown(),
  run: async (_input, ctx) => {
    throw new Error(`step ${HUMAN_REVIEW_STEP} of job ${ctx.jobId} must park the job for review, not run`);
  },
});
