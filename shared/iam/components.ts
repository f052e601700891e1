/**
 * What each part of Sluice calls, per resource: the port methods (shared/iam/port-actions.ts maps
 * them to IAM actions) on which queues and which objects. The methods are checked against the code:
 * test/unit/iam/policy-drift.test.ts finds every port method called in the code a part's entry point
 * imports (the type checker resolves each call to its port), and fails when this table and the code
 * disagree in either direction — a call the policy would refuse, or a grant nothing uses. The
 * resources are the design: which queue a call targets is not visible to a type checker.
 *
 * The granularity is the import closure: a shared module a part imports counts for that part (the
 * scheduler imports the payload store through the runtime, so it may read and delete payloads).
 */
import type { BlobMethod, SqsMethod } from "./port-actions.ts";

export const COMPONENTS = ["scheduler", "worker", "api"] as const;
export type Component = (typeof COMPONENTS)[number];

/**
 * `intake`: every tenant's intake queue (`<prefix>-intake-<tenant>`); `intakeDlq`: their DLQs;
 * `work` / `workDlq`: the shared work queue and its DLQ.
 */
export type QueueTarget = "intake" | "intakeDlq" | "work" | "workDlq";

export interface ComponentNeeds {
  /**
   * Where the part's code starts: its entry point, plus any directory of operations it serves (every
   * `.ts` file in it). The drift test scans the import closure of these.
   */
  readonly roots: readonly string[];
  readonly queues: Partial<Record<QueueTarget, readonly SqsMethod[]>>;
  /** Methods on tenants' objects (`tenants/<tenant>/...` in the fleet bucket or the tenant's own). */
  readonly objects: readonly BlobMethod[];
  /** Runs the `llm` step, which calls Bedrock Converse when the provider is `bedrock`. */
  readonly bedrock?: boolean;
}

export const NEEDS: Readonly<Record<Component, ComponentNeeds>> = {
  scheduler: {
    roots: ["scheduler/main.ts"],
    queues: {
      intake: ["getQueueUrl", "receive", "changeVisibility", "delete", "approximateDepth"],
      // Rejections (with their reason) go to the tenant's intake DLQ.
      intakeDlq: ["getQueueUrl", "send"],
      work: ["getQueueUrl", "send", "approximateDepth"],
      workDlq: ["getQueueUrl"],
    },
    // Large rejected bodies (intake-rejected/), and the payload store the runtime builds.
    objects: ["put", "getJson", "delete"],
  },
  worker: {
    roots: ["workers/main.ts"],
    queues: {
      // The sweeper sends the intake message of a job the API recorded but never confirmed sent
      // (workers/sweeper-intake.ts, ADR 0026).
      intake: ["getQueueUrl", "send"],
      work: ["getQueueUrl", "receive", "changeVisibility", "delete", "deleteBatch", "send"],
      // A work message whose handling fails on its last receive is dead-lettered with its reason.
      workDlq: ["getQueueUrl", "send"],
    },
    objects: ["put", "getBuffer", "getJson", "head", "listAll", "presignGet", "delete"],
    bedrock: true,
  },
  api: {
    // The job operations (api/jobs/) are roots too: the routes serve them.
    roots: ["api/main.ts", "api/jobs"],
    queues: {
      // POST /v1/jobs goes through the tenant's intake queue (api/jobs/submit.ts); its depth is the
      // admission check against maxQueued.
      intake: ["getQueueUrl", "send", "approximateDepth"],
      // The operators' console (/v1/ops/dlq) peeks dead letters and redrives them to their source
      // queue (shared/dlq/dead-letters.ts: receive, restore visibility, send, delete).
      intakeDlq: ["getQueueUrl", "receive", "changeVisibility", "delete"],
      // Retry re-sends the job's work message (shared/messages/work-message.ts).
      work: ["getQueueUrl", "send"],
      workDlq: ["getQueueUrl", "receive", "changeVisibility", "delete"],
    },
    // Presigned uploads and output URLs, inputRef checks, and the payload store the runtime builds;
    // the console's quota edit lists one object to refuse a placement edit while the tenant has any.
    objects: ["presignPut", "presignGet", "head", "put", "getJson", "delete", "list"],
  },
};
