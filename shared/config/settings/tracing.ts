import { z } from "zod";
import { int, type Setting } from "./kit.ts";

const httpUrl = z.url({ protocol: /^https?$/ });

/**
 * OpenTelemetry tracing (ADR 0027): the standard OTLP exporter variables turn it on; unset, no span
 * is made or sent.
 */
export const TRACING_SETTINGS = {
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: httpUrl,
    expected: "an http(s) URL",
    description:
      "Turns tracing on: scheduler, workers and API send their spans over OTLP/HTTP (JSON) to `<this URL>/v1/traces` — an OpenTelemetry collector, Jaeger or Tempo, e.g. `http://127.0.0.1:4318`. Unset (and the next one unset): tracing off, at no cost.",
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    schema: httpUrl,
    expected: "an http(s) URL",
    description:
      "The full URL spans are sent to, used as given (takes precedence over `OTEL_EXPORTER_OTLP_ENDPOINT`).",
  },
  SLUICE_TRACING_EXPORT_DELAY_MS: {
    schema: int(10, 60_000),
    default: "2000",
    expected: "an integer from 10 to 60000",
    description:
      "How long finished spans wait in the batch span processor before they are sent (a shutdown sends what is left).",
  },
} as const satisfies Record<string, Setting<unknown>>;

/** The traces endpoint the settings name, as the OTLP specification resolves it; undefined: off. */
export function tracesEndpoint(traces: string | undefined, base: string | undefined): string | undefined {
  if (traces !== undefined) return traces;
  if (base === undefined) return undefined;
  return `${base.replace(/\/+$/, "")}/v1/traces`;
}
