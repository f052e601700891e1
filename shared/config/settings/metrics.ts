import { int, nonEmpty, type Setting } from "./kit.ts";

/** The Prometheus metrics server of each process. */
export const METRICS_SETTINGS = {
  SLUICE_METRICS_PORT: {
    schema: int(0, 65_535),
    expected: "a port number from 0 to 65535",
    description:
      "Serve Prometheus metrics at `GET /metrics` on this port (each process its own: scheduler, worker, API). Unset: no metrics server. `0` picks a free port (logged).",
  },
  SLUICE_METRICS_HOST: {
    schema: nonEmpty,
    default: "0.0.0.0",
    expected: "a host name or address",
    description: "Address the metrics server listens on (`127.0.0.1` keeps it local).",
  },
  SLUICE_METRICS_TENANT_SERIES: {
    schema: int(0, 100_000),
    default: "100",
    expected: "an integer from 0 to 100000",
    description:
      'Distinct tenants a process exports per-tenant series for; later tenants are summed under `tenant="other"` (guards Prometheus against one series per tenant of a large fleet).',
  },
} as const satisfies Record<string, Setting<unknown>>;
