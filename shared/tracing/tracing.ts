/**
 * A process's tracing: an OpenTelemetry `Tracer` and whether anything records. Built once at start-up
 * by `startTracing` (shared/tracing/start-tracing.ts) from the configuration; components receive it
 * through the runtime. Off (no endpoint configured, the default) it is `NO_TRACING`: components test
 * `enabled` before building a span's attributes and make no span at all, so tracing costs nothing.
 */
import {
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type TimeInput,
  type Tracer,
} from "@opentelemetry/api";
import { contextOf, traceOf, type TraceContext } from "./trace-context.ts";

export interface Tracing {
  /** False: nothing is recorded or exported; callers skip their spans. */
  readonly enabled: boolean;
  readonly tracer: Tracer;
  /** Exports the spans still buffered and stops the exporter (graceful shutdown). Idempotent. */
  shutdown(): Promise<void>;
}

/** Tracing off: the OpenTelemetry API's no-op tracer (a provider with no delegate). */
export const NO_TRACING: Tracing = Object.freeze({
  enabled: false,
  tracer: new ProxyTracerProvider().getTracer("sluice"),
  shutdown: () => Promise.resolve(),
});

/** The attributes Sluice puts on its spans (tenant id on every one; never payloads). */
export const ATTR = {
  tenant: "sluice.tenant.id",
  job: "sluice.job.id",
  workflow: "sluice.workflow.name",
  workflowVersion: "sluice.workflow.version",
  queueWaitMs: "sluice.intake.queue_wait_ms",
  messageId: "messaging.message.id",
  outcome: "sluice.outcome",
  attempt: "sluice.job.attempt",
  state: "sluice.state.name",
  stateType: "sluice.state.type",
  stateContinues: "sluice.state.continues",
  stateResumed: "sluice.state.resumed",
  resource: "sluice.step.resource",
  stepAttempt: "sluice.step.attempt",
  taskId: "sluice.step.task_id",
  error: "sluice.error",
} as const;

/** Longest status message (a step's cause, a rejection's reason) put on a span. */
const MAX_STATUS_MESSAGE = 1000;

/** Starts a span whose parent is `parent` (a new trace when undefined). */
export function startSpan(
  tracing: Tracing,
  name: string,
  parent: TraceContext | Span | undefined,
  attributes: Attributes,
  startTime?: TimeInput,
): Span {
  const ctx =
    parent === undefined
      ? ROOT_CONTEXT
      : "traceparent" in parent
        ? (contextOf(parent) ?? ROOT_CONTEXT)
        : trace.setSpan(ROOT_CONTEXT, parent);
  return tracing.tracer.startSpan(
    name,
    { attributes, ...(startTime !== undefined ? { startTime } : {}) },
    ctx,
  );
}

/** The trace context naming `span` as parent, for a message attribute or a job document. */
export function spanTrace(span: Span): TraceContext | undefined {
  return traceOf(span.spanContext());
}

/** Marks `span` failed with an error name and its cause (shortened). */
export function failSpan(span: Span, error: string, cause: string): void {
  span.setAttribute(ATTR.error, error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: (cause.length > 0 ? `${error}: ${cause}` : error).slice(0, MAX_STATUS_MESSAGE),
  });
}
