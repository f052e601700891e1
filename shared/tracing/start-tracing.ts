/**
 * A process's tracing from its configuration (`SLUICE_TRACING_*`, `OTEL_EXPORTER_OTLP_*`): with an
 * endpoint, spans go through a batch span processor to an OTLP/HTTP exporter (JSON) under the
 * process's `service.name`; without one, `NO_TRACING`. Only entry points call it, once, and call
 * `shutdown()` last when they stop so that the buffered spans are sent.
 */
import type { Logger } from "pino";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { SluiceConfig } from "../config/config.ts";
import { NO_TRACING, type Tracing } from "./tracing.ts";

/** The services' names in traces. */
export type TracedService = "sluice-scheduler" | "sluice-worker" | "sluice-api";

export function startTracing(
  config: Pick<SluiceConfig, "tracing">,
  service: TracedService,
  log: Logger,
): Tracing {
  const { endpoint } = config.tracing;
  if (endpoint === undefined) return NO_TRACING;
  const exporter = new OTLPTraceExporter({ url: endpoint });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: config.tracing.exportDelayMs,
      }),
    ],
  });
  log.info({ endpoint, service }, "tracing: exporting spans over OTLP/HTTP");
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    tracer: provider.getTracer("sluice"),
    shutdown: () =>
      (stopped ??= provider.shutdown().catch((err: unknown) => {
        log.warn({ err }, "tracing: spans could not all be exported at shutdown");
      })),
  };
}
