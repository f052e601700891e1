/**
 * A job's W3C trace context (`traceparent`, `tracestate`) as plain, validated data: what a job
 * document keeps (`trace`) and what SQS messages carry as message attributes of the same names, so
 * that every process a job passes through — scheduler, workers after a crash, a review or a retry —
 * continues one trace (ADR 0027). Parsing and printing are the OpenTelemetry W3C propagator's.
 */
import { ROOT_CONTEXT, trace, type Context, type SpanContext } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { z } from "zod";
import { stringAttr, type MessageAttributes } from "../aws/sqs-port.ts";

/** `version-traceid-spanid-flags`, lower-case hex (W3C Trace Context level 1). */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export const TraceContextSchema = z.strictObject({
  traceparent: z.string().regex(TRACEPARENT, "traceparent must be version-traceid-spanid-flags in hex"),
  /** Vendor entries, passed on as received (W3C allows up to 512 characters). */
  tracestate: z.string().min(1).max(512).optional(),
});
export type TraceContext = z.infer<typeof TraceContextSchema>;

/** The message attribute names (the W3C header names). */
export const TRACEPARENT_ATTR = "traceparent";
export const TRACESTATE_ATTR = "tracestate";

const propagator = new W3CTraceContextPropagator();
type Carrier = Record<string, string>;
const getter = {
  get: (c: Carrier, key: string) => c[key],
  keys: (c: Carrier) => Object.keys(c),
};
const setter = { set: (c: Carrier, key: string, value: string) => void (c[key] = value) };

/** A trace context from any carrier of header-like strings (an HTTP request's headers), if valid. */
export function traceFromCarrier(carrier: Readonly<Record<string, unknown>>): TraceContext | undefined {
  const traceparent = carrier[TRACEPARENT_ATTR];
  if (typeof traceparent !== "string") return undefined;
  const tracestate = carrier[TRACESTATE_ATTR];
  const parsed = TraceContextSchema.safeParse({
    traceparent: traceparent.trim().toLowerCase(),
    ...(typeof tracestate === "string" && tracestate.length > 0 ? { tracestate } : {}),
  });
  // The propagator refuses what the pattern lets through (an all-zero trace or span id, version ff).
  return parsed.success && contextOf(parsed.data) !== undefined ? parsed.data : undefined;
}

/** The trace context an SQS message carries in its attributes; absent or malformed: undefined. */
export function traceFromAttributes(attributes: MessageAttributes): TraceContext | undefined {
  const tp = attributes[TRACEPARENT_ATTR]?.StringValue;
  if (tp === undefined) return undefined;
  const ts = attributes[TRACESTATE_ATTR]?.StringValue;
  return traceFromCarrier({ traceparent: tp, ...(ts !== undefined ? { tracestate: ts } : {}) });
}

/** The message attributes carrying `trace` (none when undefined). */
export function traceAttributes(t: TraceContext | undefined): MessageAttributes {
  if (t === undefined) return {};
  return {
    [TRACEPARENT_ATTR]: stringAttr(t.traceparent),
    ...(t.tracestate !== undefined ? { [TRACESTATE_ATTR]: stringAttr(t.tracestate) } : {}),
  };
}

/** An OpenTelemetry context whose (remote) parent is `t`; undefined when `t` is not a valid context. */
export function contextOf(t: TraceContext | undefined): Context | undefined {
  if (t === undefined) return undefined;
  const ctx = propagator.extract(ROOT_CONTEXT, { ...t }, getter);
  return trace.getSpanContext(ctx) !== undefined ? ctx : undefined;
}

/** The trace context naming `span` as the parent (undefined for an invalid one: a no-op span). */
export function traceOf(span: SpanContext): TraceContext | undefined {
  const carrier: Carrier = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, span), carrier, setter);
  const parsed = TraceContextSchema.safeParse(carrier);
  return parsed.success ? parsed.data : undefined;
}

/** The 32-hex-digit trace id of `t`. */
export function traceIdOf(t: TraceContext): string {
  return t.traceparent.split("-")[1] as string;
}
