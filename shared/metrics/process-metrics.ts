/**
 * A service's metrics, when its configuration asks for them (`SLUICE_METRICS_PORT`): the process's
 * `SluiceMetrics` and the server that exposes it. Without a port there are no metrics and no server.
 */
import type { Logger } from "pino";
import type { SluiceConfig } from "../config/config.ts";
import { startMetricsServer, type MetricsServer } from "./metrics-server.ts";
import { SluiceMetrics } from "./sluice-metrics.ts";

export interface ProcessMetrics {
  readonly metrics: SluiceMetrics;
  readonly server: MetricsServer;
  close(): Promise<void>;
}

export async function startProcessMetrics(
  config: Pick<SluiceConfig, "metrics">,
  service: string,
  log: Logger,
): Promise<ProcessMetrics | undefined> {
  if (config.metrics.port === undefined) return undefined;
  const metrics = new SluiceMetrics({ service, tenantSeriesCap: config.metrics.tenantSeries });
  const server = await startMetricsServer(metrics, {
    port: config.metrics.port,
    host: config.metrics.host,
    log,
  });
  return { metrics, server, close: () => server.close() };
}
