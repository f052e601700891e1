import type { Logger } from "pino";
import type { JobRunOutcome } from "../../shared/fleet/job-rested.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { TraceContext } from "../../shared/tracing/trace-context.ts";

/** The job a work message points to. */
export interface JobWork {
  tenantId: TenantId;
  jobId: string;
  /** The trace context the message carries (`traceparent` / `tracestate` attributes), if any. */
  trace?: TraceContext;
}

/** What the worker lends a run: its message's keep-alive, its shutdown signal and its logger. */
export interface JobRunContext {
  /** Extends the work message's visibility while the job runs. */
  extendVisibility: () => Promise<void>;
  /** Aborted when the worker shuts down: the run gives the job back at its next resting point. */
  shutdown: AbortSignal;
  log: Logger;
}

/**
 * Carries a job from its last durable point to its next one (terminal, resting on a Wait, parked
 * for review, released) and says which, so that the worker settles the message and the fair
 * scheduler's slot. The embedded ASL engine is one implementation (workers/job-runner.ts); an
 * external orchestrator (e.g. AWS Step Functions) can sit behind the same interface. Throws when the
 * run failed in a way that should be retried (the message is redelivered).
 */
export interface JobRunner {
  run(work: JobWork, ctx: JobRunContext): Promise<JobRunOutcome>;
}
