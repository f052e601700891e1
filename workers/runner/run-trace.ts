/**
 * The spans of one run of a job in a worker (ADR 0027), made by the runner beside its writes — the
 * pure ASL engine knows nothing of them. A `job` span covers the run segment (claim to resting point)
 * and is the child of the job's trace context (the work message's attributes, else the job document),
 * so every segment of a job, in any worker, after a crash, a review or a retry, joins one trace.
 * Under it:
 * - one span per ASL state, opened and closed from the engine's `…StateEntered` / `…StateExited`
 *   history events (the ones the job's timeline is made of): a state still open when the run rests
 *   (a Wait, a review, a shutdown) ends with `sluice.state.continues`, and its exit in a later run
 *   makes a span from that run's start marked `sluice.state.resumed`;
 * - one span per step call (a Task's resource), the child of its state's span, with the resource,
 *   the attempt, and the error and cause as its status;
 * - the run's writes as `checkpoint` events of the job span.
 * Every span carries the tenant id; none carries payloads. Built only when tracing is on.
 */
import type { Span } from "@opentelemetry/api";
import type { HistoryEvent as EngineEvent, TaskEffect } from "../../shared/asl/index.ts";
import type { JobRunOutcome } from "../../shared/fleet/job-rested.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { TraceContext } from "../../shared/tracing/trace-context.ts";
import { ATTR, failSpan, spanTrace, startSpan, type Tracing } from "../../shared/tracing/tracing.ts";

const ENTERED = "StateEntered";
const EXITED = "StateExited";

/** A step call's span and the state span it runs under. */
export interface StepTrace {
  readonly span: Span;
  readonly state: OpenState | undefined;
}

interface OpenState {
  readonly span: Span;
  /** A step span runs under it now (a retry's next attempt waits for the previous one to end). */
  busy: boolean;
}

export class RunTrace {
  readonly #tracing: Tracing;
  readonly #tenantId: TenantId;
  readonly #jobId: string;
  readonly #startedAt = Date.now();
  /** The trace context the job document lacked: written with the run's first write. */
  #adopt: TraceContext | undefined;
  #job: Span | undefined;
  /** Open state spans by state name, oldest first (Map iterations share a name). */
  readonly #open = new Map<string, OpenState[]>();

  constructor(tracing: Tracing, tenantId: TenantId, jobId: string) {
    this.#tracing = tracing;
    this.#tenantId = tenantId;
    this.#jobId = jobId;
  }

  /**
   * The claim's answer: starts the `job` span (from the run's start) under the message's trace
   * context, else the job document's; a job with neither starts its trace here and keeps it.
   */
  claimed(job: JobDoc | undefined, fromMessage: TraceContext | undefined): void {
    const parent = fromMessage ?? job?.trace;
    if (job === undefined && parent === undefined) return;
    this.#job = startSpan(
      this.#tracing,
      "job",
      parent,
      {
        [ATTR.tenant]: this.#tenantId,
        [ATTR.job]: this.#jobId,
        ...(job !== undefined
          ? {
              [ATTR.workflow]: job.workflow.name,
              [ATTR.workflowVersion]: job.workflow.version,
              [ATTR.attempt]: job.attempts,
            }
          : {}),
      },
      this.#startedAt,
    );
    if (job !== undefined && job.trace === undefined) this.#adopt = spanTrace(this.#job);
  }

  /** The trace context to store on a job document that has none (once, with the first write). */
  takeAdopted(): TraceContext | undefined {
    const t = this.#adopt;
    this.#adopt = undefined;
    return t;
  }

  /** The engine's state entries and exits of one `step`. */
  states(events: readonly EngineEvent[]): void {
    for (const e of events) {
      const name = e.stateName;
      if (name === undefined) continue;
      if (e.type.endsWith(ENTERED)) {
        const span = this.#child(`state ${name}`, {
          [ATTR.state]: name,
          [ATTR.stateType]: e.type.slice(0, -ENTERED.length),
        });
        const list = this.#open.get(name);
        if (list) list.push({ span, busy: false });
        else this.#open.set(name, [{ span, busy: false }]);
      } else if (e.type.endsWith(EXITED)) {
        const open = this.#open.get(name)?.shift();
        if (open) open.span.end();
        else {
          // Entered in an earlier run (before a Wait, a review, a crash): this run's part of it.
          this.#child(
            `state ${name}`,
            {
              [ATTR.state]: name,
              [ATTR.stateType]: e.type.slice(0, -EXITED.length),
              [ATTR.stateResumed]: true,
            },
            this.#startedAt,
          ).end();
        }
      }
    }
  }

  /** A step call starts: its span, under the span of its state. */
  stepStarted(task: TaskEffect, resource: string): StepTrace {
    const state = this.#open.get(task.stateName)?.find((s) => !s.busy);
    if (state) state.busy = true;
    const span = startSpan(this.#tracing, `step ${resource}`, state?.span ?? this.#job, {
      [ATTR.tenant]: this.#tenantId,
      [ATTR.job]: this.#jobId,
      [ATTR.state]: task.stateName,
      [ATTR.resource]: resource,
      [ATTR.stepAttempt]: task.attempt,
      [ATTR.taskId]: task.taskId,
    });
    return { span, state };
  }

  /** A step call ended (`error`: its Step Functions error and cause). */
  stepEnded(step: StepTrace, error?: { error: string; cause: string }): void {
    if (error !== undefined) failSpan(step.span, error.error, error.cause);
    step.span.end();
    if (step.state) step.state.busy = false;
  }

  /** A write of the run (`kind`: checkpoint, rest, park, end, ...) and whether it won its CAS. */
  checkpoint(kind: string, ok: boolean, version: number): void {
    this.#job?.addEvent("checkpoint", {
      "sluice.checkpoint.kind": kind,
      "sluice.checkpoint.written": ok,
      "sluice.job.version": version,
    });
  }

  /** The run's end: open states end as continuing, the job span with the outcome. */
  ended(outcome: JobRunOutcome | { kind: "error"; error: unknown }): void {
    for (const list of this.#open.values())
      for (const s of list) {
        s.span.setAttribute(ATTR.stateContinues, true);
        s.span.end();
      }
    this.#open.clear();
    const job = this.#job;
    if (job === undefined) return;
    job.setAttribute(ATTR.outcome, outcomeLabel(outcome));
    if (outcome.kind === "error") {
      const err = outcome.error;
      failSpan(
        job,
        err instanceof Error ? err.name : "Error",
        err instanceof Error ? err.message : String(err),
      );
    } else if (outcome.kind === "finished" && outcome.status === "failed") {
      failSpan(job, "failed", "");
    }
    job.end();
  }

  #child(name: string, attributes: Record<string, string | number | boolean>, startTime?: number): Span {
    return startSpan(
      this.#tracing,
      name,
      this.#job,
      { [ATTR.tenant]: this.#tenantId, [ATTR.job]: this.#jobId, ...attributes },
      startTime,
    );
  }
}

function outcomeLabel(o: JobRunOutcome | { kind: "error" }): string {
  switch (o.kind) {
    case "finished":
      return o.status;
    case "skipped":
      return `skipped: ${o.reason}`;
    default:
      return o.kind;
  }
}
