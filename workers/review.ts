/**
 * Human review decisions, with Step Functions' SendTaskSuccess / SendTaskFailure semantics. A job in
 * `needs_review` holds `review.taskToken`; a decision loads its execution state, delivers the output
 * (`completeTask`) or the error (`failTask`) to the waiting Task, writes the state back with a CAS
 * (`needs_review → queued`, review cleared) and enqueues a work message. A worker then continues the
 * workflow: the next state, the Task's Catch path, or `failed` when nothing catches a rejection.
 * A decision for a job that is not waiting is refused with a `ReviewRefusedError` saying why.
 *
 * `timeOut` is the sweeper's decision for a review whose Task had `TimeoutSeconds` and whose
 * `review.timeoutAt` has passed: the Task fails with `States.Timeout`, like Step Functions' task
 * timeout; it is refused (`not_due`) before then, and (`not_waiting`) once a human decided.
 */
import type { Logger } from "pino";
import { auditValue, createAuditLog, type AuditActor, type AuditLog } from "../shared/audit/audit-log.ts";
import { completeTask, failTask, pendingTasks, type ExecutionState } from "../shared/asl/index.ts";
import type { SqsPort } from "../shared/aws/sqs-port.ts";
import type { JobDoc } from "../shared/jobs/job-doc.ts";
import type { JobStore } from "../shared/jobs/job-store.ts";
import { sendWorkMessage, type WorkMessage } from "../shared/messages/work-message.ts";
import { casRetry, type CasRound } from "../shared/jobs/cas-retry.ts";
import type { Runtime } from "../shared/runtime/runtime.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import type { WorkflowCatalog } from "../shared/workflows/catalog.ts";
import { createWorkflowVersions, type WorkflowVersions } from "../shared/workflows/versions.ts";
import type { PayloadStore } from "../shared/payloads/payload-store.ts";
import { JobRefs } from "../shared/payloads/result-refs.ts";

export type RefusalCode = "not_found" | "not_waiting" | "token_mismatch" | "not_due" | "contended";

/** The error a review Task fails with when nobody decided within its `TimeoutSeconds`. */
export const REVIEW_TIMEOUT_ERROR = "States.Timeout";

export class ReviewRefusedError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = "ReviewRefusedError";
    this.retryable = code === "contended";
  }
}

export interface ReviewDeps {
  jobsOf: (tenant: TenantId) => JobStore;
  /** The definitions of waiting jobs: each is decided on the version its execution runs. */
  workflows: WorkflowVersions;
  /** The one payload store (execution states, review data, a decision's large output). */
  payloads: PayloadStore;
  sqs: SqsPort;
  workQueueUrl: string;
  now: () => number;
  log: Logger;
  /** Every human decision is recorded here with its actor (shared/audit/audit-log.ts). */
  audit: Pick<AuditLog, "append">;
}

/** A human decision: who makes it, for the audit trail (and the job's history when no `reviewer`). */
export interface HumanDecisionOptions extends DecisionOptions {
  actor: AuditActor;
}

export interface DecisionOptions {
  /** When given, must equal the job's `review.taskToken` (a stale decision is refused). */
  taskToken?: string;
  /** Who decided; recorded in the job's history (default: the actor's subject). */
  reviewer?: string;
}

export interface DecisionResult {
  jobId: string;
  stateName: string;
  /** The job's version after the decision was recorded. */
  version: number;
}

type Decision =
  { ok: true; output: unknown } | { ok: false; error: string; cause: string; timedOutBy?: number };

export class Reviews {
  constructor(private readonly deps: ReviewDeps) {}

  /** SendTaskSuccess: the waiting Task's result is `output`. */
  approve(
    tenant: TenantId,
    jobId: string,
    output: unknown,
    opts: HumanDecisionOptions,
  ): Promise<DecisionResult> {
    return this.#decide(tenant, jobId, { ok: true, output: output ?? null }, opts);
  }

  /** SendTaskFailure: the waiting Task fails with `error` / `cause` (Retry and Catch apply). */
  reject(
    tenant: TenantId,
    jobId: string,
    error: string,
    cause: string,
    opts: HumanDecisionOptions,
  ): Promise<DecisionResult> {
    return this.#decide(tenant, jobId, { ok: false, error, cause }, opts);
  }

  /**
   * Fails the waiting Task with `States.Timeout` when its review is overdue at `now` (its
   * `review.timeoutAt` is at or before `now`); refused with `not_due` otherwise.
   */
  timeOut(tenant: TenantId, jobId: string, now: number): Promise<DecisionResult> {
    const decision = { ok: false as const, error: REVIEW_TIMEOUT_ERROR, cause: "", timedOutBy: now };
    return this.#decide(tenant, jobId, decision, { reviewer: "sluice-sweeper" });
  }

  /** The tenant's jobs waiting for a decision, oldest first. */
  list(tenant: TenantId, limit = 100): Promise<JobDoc[]> {
    return this.deps.jobsOf(tenant).findByStatus("needs_review", limit);
  }

  /** The review data of a waiting job (loaded when it was stored by reference). */
  async data(tenant: TenantId, job: JobDoc): Promise<unknown> {
    return job.review ? this.deps.payloads.load(tenant, job.review.input) : null;
  }

  async #decide(
    tenant: TenantId,
    jobId: string,
    requested: Decision,
    given: DecisionOptions & { actor?: AuditActor },
  ): Promise<DecisionResult> {
    const opts: DecisionOptions = {
      ...given,
      ...(given.reviewer === undefined && given.actor !== undefined ? { reviewer: given.actor.subject } : {}),
    };
    let decision = requested;
    const { payloads, now } = this.deps;
    const jobs = this.deps.jobsOf(tenant);
    const done = await casRetry<DecisionResult>(async (): Promise<CasRound<DecisionResult>> => {
      const job = await jobs.get(jobId);
      if (job === null) throw new ReviewRefusedError("not_found", `no job ${jobId} for tenant ${tenant}`);
      const review = job.review;
      if (job.status !== "needs_review" || review === null) {
        throw new ReviewRefusedError("not_waiting", `job ${jobId} is ${job.status}, not waiting for review`);
      }
      if (opts.taskToken !== undefined && opts.taskToken !== review.taskToken) {
        throw new ReviewRefusedError(
          "token_mismatch",
          `job ${jobId} waits for review of ${review.stateName} with another task token`,
        );
      }
      if (!decision.ok && decision.timedOutBy !== undefined) {
        const due = review.timeoutAt;
        if (due === undefined || due > decision.timedOutBy) {
          throw new ReviewRefusedError(
            "not_due",
            due === undefined
              ? `job ${jobId}: the review of ${review.stateName} has no timeout`
              : `job ${jobId}: the review of ${review.stateName} is due by ${new Date(due).toISOString()}`,
          );
        }
        decision = {
          ...decision,
          cause: `review of ${review.stateName} not decided within ${Math.round((due - review.requestedAt) / 1000)} s`,
        };
      }
      const exec = await payloads.loadExecution(tenant, job);
      // The version the job runs, even when its file has changed since it parked.
      const machine = exec ? await this.deps.workflows.machine(exec.def) : undefined;
      if (exec && !machine) {
        throw new Error(
          `job ${jobId} runs version ${exec.def} of "${job.workflow.name}", found neither in the workflow files nor in workflow_versions`,
        );
      }
      const task =
        exec && machine
          ? pendingTasks(machine, exec).find((t) => (t.taskToken ?? t.taskId) === review.taskToken)
          : undefined;
      if (!exec || !machine || !task) {
        throw new Error(`job ${jobId} is in needs_review but its execution has no task ${review.taskToken}`);
      }
      let next: ExecutionState;
      // A decision's output is data like any other: only references stored for the job resolve.
      const refs = JobRefs.of(job);
      if (decision.ok) {
        const output = await payloads.storeResult(
          tenant,
          refs,
          `${task.stateName}-${task.taskId}`,
          decision.output,
        );
        next = completeTask(machine, exec, task.taskId, output);
      } else {
        next = failTask(machine, exec, task.taskId, decision.error, decision.cause);
      }
      const fields = { ...(await payloads.executionPatch(tenant, jobId, next)), ...refs.patch() };
      const at = now();
      const outcome = decision.ok ? "approved" : decision.timedOutBy !== undefined ? "timed_out" : "rejected";
      const event = {
        at,
        type: `review_${outcome}`,
        state: review.stateName,
        detail: {
          ...(opts.reviewer !== undefined ? { reviewer: opts.reviewer } : {}),
          ...(decision.ok ? {} : { error: decision.error, cause: decision.cause.slice(0, 2000) }),
        },
      };
      const r = await jobs.decideReview(jobId, job.version, fields, at, event);
      if (!r.ok) {
        await payloads.discard(tenant, fields.executionRef, null);
        return "lost"; // another decision or a cancel won: re-read and re-decide
      }
      await payloads.discard(tenant, job.executionRef, fields.executionRef);
      const work: WorkMessage = { tenantId: tenant, jobId };
      try {
        await sendWorkMessage(this.deps.sqs, this.deps.workQueueUrl, work, { trace: job.trace });
      } catch (err) {
        // The decision is recorded and the job queued: the sweeper re-drives it.
        this.deps.log.warn({ err, tenantId: tenant, jobId }, "work message not sent after a review decision");
      }
      this.deps.log.info(
        { tenantId: tenant, jobId, state: review.stateName, decision: outcome },
        "review decision recorded",
      );
      if (given.actor !== undefined) {
        await this.deps.audit.append({
          tenantId: tenant,
          actor: given.actor,
          action: decision.ok ? "review.approve" : "review.reject",
          target: { jobId },
          before: { status: "needs_review", state: review.stateName },
          after: {
            status: "queued",
            ...(decision.ok
              ? { output: await auditValue(decision.output) }
              : { error: decision.error, cause: decision.cause.slice(0, 2000) }),
          },
          at: new Date(at),
        });
      }
      return { done: { jobId, stateName: review.stateName, version: r.version } };
    });
    if (done !== undefined) return done;
    throw new ReviewRefusedError("contended", `job ${jobId} kept changing; try again`);
  }
}

/**
 * Review decisions over a runtime. `catalog` is the workflow files' current versions; a job that
 * parked on an older one is decided on that one, read from `workflow_versions`.
 */
export function createReviews(rt: Runtime, catalog: WorkflowCatalog, now: () => number = Date.now): Reviews {
  return new Reviews({
    jobsOf: (t) => rt.jobsOf(t),
    workflows: createWorkflowVersions(rt, catalog, now),
    payloads: rt.payloads,
    sqs: rt.sqs,
    workQueueUrl: rt.queues.work,
    now,
    log: rt.log.child({ component: "review" }),
    audit: createAuditLog(rt.fleetDb),
  });
}
