/**
 * The scheduler's spans of one intake message (ADR 0027): `intake`, from the message's arrival in
 * the tenant's intake queue (its SentTimestamp) to the end of its release, the child of the trace
 * context the message carries (an upstream's or the API's) or the root of a new trace; and
 * `release` under it, the release itself (validate, create the job, send its work message, delete the
 * message). Both carry the tenant, the queue wait and, once known, the job id and workflow. The
 * release span's context is what the job document and the work message carry on.
 */
import type { Span } from "@opentelemetry/api";
import type { ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { traceFromAttributes, type TraceContext } from "../../shared/tracing/trace-context.ts";
import { ATTR, failSpan, spanTrace, startSpan, type Tracing } from "../../shared/tracing/tracing.ts";

export class ReleaseTrace {
  readonly #intake: Span;
  readonly #release: Span;
  /** The context of the release span: the parent of every run of the job. */
  readonly trace: TraceContext | undefined;

  constructor(tracing: Tracing, tenant: TenantId, message: ReceivedMessage, now: number) {
    const waitMs = Math.max(0, now - message.sentAt);
    const attributes = {
      [ATTR.tenant]: tenant,
      [ATTR.messageId]: message.messageId,
      [ATTR.queueWaitMs]: waitMs,
    };
    const upstream = traceFromAttributes(message.attributes);
    this.#intake = startSpan(tracing, "intake", upstream, attributes, Math.min(message.sentAt, now));
    this.#release = startSpan(tracing, "release", this.#intake, attributes);
    this.trace = spanTrace(this.#release);
  }

  /** The message names its job and workflow. */
  job(jobId: string, workflow: string): void {
    for (const span of [this.#intake, this.#release]) {
      span.setAttribute(ATTR.job, jobId);
      span.setAttribute(ATTR.workflow, workflow);
    }
  }

  /** The release's outcome (`released`, `duplicate`, `rejected` with its reason). */
  ended(outcome: { kind: string; reason?: string }): void {
    for (const span of [this.#release, this.#intake]) {
      span.setAttribute(ATTR.outcome, outcome.kind);
      if (outcome.reason !== undefined) failSpan(span, "rejected", outcome.reason);
      span.end();
    }
  }

  /** The release threw (it is retried behind the tenant's other messages). */
  failed(err: unknown): void {
    for (const span of [this.#release, this.#intake]) {
      failSpan(
        span,
        err instanceof Error ? err.name : "Error",
        err instanceof Error ? err.message : String(err),
      );
      span.end();
    }
  }
}
