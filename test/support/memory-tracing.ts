/**
 * Tracing into memory for unit tests: the SDK's tracer provider with a simple span processor and
 * the in-memory exporter, behind the same `Tracing` the processes get from `startTracing`.
 */
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import type { Tracing } from "../../shared/tracing/tracing.ts";

export interface MemoryTracing {
  readonly tracing: Tracing;
  /** Finished spans, in the order they ended. */
  spans(): ReadableSpan[];
}

export function memoryTracing(): MemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    tracing: { enabled: true, tracer: provider.getTracer("test"), shutdown: () => provider.shutdown() },
    spans: () => exporter.getFinishedSpans(),
  };
}

/** The id of the span's parent, if it has one. */
export const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
