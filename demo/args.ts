import { parseArgs } from "node:util";

export interface DemoArgs {
  readonly keepStack: boolean;
  readonly json: boolean;
  /** How many documents in all (split between the tenants). */
  readonly docs: number;
  readonly seed: number;
  readonly workers: number;
  /** Scheduler processes (replicas sharing the tenants through their leases, ADR 0024). */
  readonly schedulers: number;
  /** Jobs each worker process runs at once. */
  readonly concurrency: number;
  /** Stop waiting for results after this long. */
  readonly timeoutSeconds: number;
  /** First Prometheus metrics port (schedulers; workers take the next free ones); 0: no metrics. */
  readonly metricsPort: number;
  readonly help: boolean;
}

export const DEMO_USAGE = `usage: npm run demo [-- options]
  --keep-stack        leave the local stack, the schedulers and the workers running afterwards
  --json              print the report and every job (with its output) as JSON on stdout
  --docs N            documents in all, split between the three tenants (default 30)
  --seed S            corpus seed (default 7)
  --workers N         worker processes (default 2)
  --schedulers N      scheduler replicas, which share the tenants through leases in MongoDB (default 2)
  --concurrency N     jobs per worker process at once (default 3)
  --timeout S         stop waiting for results after S seconds (default 150)
  --metrics-port P    serve Prometheus metrics from port P up: each scheduler, then each worker
                      (default 9464, taken ports skipped; 0 turns metrics off)`;

export class DemoArgsError extends Error {}

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new DemoArgsError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        "keep-stack": { type: "boolean" },
        json: { type: "boolean" },
        docs: { type: "string" },
        seed: { type: "string" },
        workers: { type: "string" },
        schedulers: { type: "string" },
        concurrency: { type: "string" },
        timeout: { type: "string" },
        "metrics-port": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new DemoArgsError((err as Error).message);
  }
  return {
    keepStack: values["keep-stack"] ?? false,
    json: values.json ?? false,
    docs: int("docs", values.docs, 30, 3, 10_000),
    seed: int("seed", values.seed, 7, 0, 2 ** 31 - 1),
    workers: int("workers", values.workers, 2, 1, 16),
    schedulers: int("schedulers", values.schedulers, 2, 1, 8),
    concurrency: int("concurrency", values.concurrency, 3, 1, 64),
    timeoutSeconds: int("timeout", values.timeout, 150, 5, 3600),
    metricsPort: int("metrics-port", values["metrics-port"], 9464, 0, 65_000),
    help: values.help ?? false,
  };
}
