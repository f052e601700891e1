/**
 * The components of one worker process, wired and ordered (the entry point adds only config, logger,
 * signals and the exit code): the worker, its capacity heartbeat, the MongoDB reachability monitor
 * that closes the worker's intake while MongoDB is unreachable and recreates the client, the
 * liveness watchdog, and (unless disabled) the sweeper. Integration tests build the same thing over
 * their own runtime.
 */
import { createUsageSettleHook } from "../shared/usage/settle-hook.ts";
import { SweeperRegistry } from "../shared/fleet/sweeper-heartbeats.ts";
import { createMongoReachability, type MongoReachability } from "../shared/mongo/reachability.ts";
import { stopAll } from "../shared/runtime/lifecycle.ts";
import type { Runtime } from "../shared/runtime/runtime.ts";
import type { WorkflowCatalog } from "../shared/workflows/catalog.ts";
import { createCapacityReporter, type CapacityReporter } from "./capacity-reporter.ts";
import { createWorker } from "./create-worker.ts";
import { createReviews } from "./review.ts";
import type { StepRegistry } from "./steps/registry.ts";
import { createSweeper, type Sweeper } from "./sweeper.ts";
import { SweeperReporter } from "./sweeper-heartbeat.ts";
import { livenessPolicy, Watchdog } from "./watchdog.ts";
import type { Worker } from "./worker.ts";

export interface WorkerProcessOptions {
  readonly catalog: WorkflowCatalog;
  readonly steps: StepRegistry;
  /** Run a sweeper in this process; default true. */
  readonly sweeper?: boolean;
  /** Lease owner id and capacity heartbeat id; default derived from host and pid. */
  readonly owner?: string;
  /** The watchdog gave up: stop everything (`stop()`) and exit non-zero. Called once. */
  readonly onUnrecoverable: (reason: string) => void;
}

export interface WorkerProcess {
  readonly worker: Worker;
  readonly watchdog: Watchdog;
  readonly mongo: MongoReachability;
  readonly capacity: CapacityReporter;
  readonly sweeper: Sweeper | undefined;
  start(): Promise<void>;
  /** Ordered, idempotent stop; the runtime is closed last. */
  stop(): Promise<void>;
}

export function createWorkerProcess(rt: Runtime, opts: WorkerProcessOptions): WorkerProcess {
  const { config, log } = rt;
  // Reopening intake pumps it; closing it gives held messages back.
  const mongo = createMongoReachability(rt.mongo, config.health, log, () => worker.intake.pump());
  const worker = createWorker(rt, {
    catalog: opts.catalog,
    steps: opts.steps,
    onSettled: createUsageSettleHook(rt),
    intakeOpen: () => mongo.up,
    dependencyFailed: (err) => mongo.report(err),
    ...(opts.owner !== undefined ? { owner: opts.owner } : {}),
  });
  const watchdog = new Watchdog({
    feeder: worker.intake,
    dependencyDownMs: () => mongo.downForMs(),
    policy: livenessPolicy(config),
    intervalMs: config.health.checkMs,
    log: log.child({ component: "watchdog" }),
    onUnrecoverable: opts.onUnrecoverable,
  });
  const capacity = createCapacityReporter(rt, worker, {
    healthy: () => watchdog.healthy && mongo.up,
    steps: opts.steps.names(),
    ...(opts.owner !== undefined ? { workerId: opts.owner } : {}),
  });
  const sweeper =
    opts.sweeper === false ? undefined : createSweeper(rt, { reviews: createReviews(rt, opts.catalog) });
  // The sweeper heartbeats under the worker's id (one sweeper per process).
  const sweeperBeat =
    sweeper &&
    new SweeperReporter({
      registry: new SweeperRegistry(rt.fleetDb),
      sweeperId: capacity.workerId,
      sweeper,
      now: Date.now,
      maxTickAgeMs: 3 * config.sweeper.intervalMs + 10_000,
      log: log.child({ component: "sweeper-heartbeat" }),
    });
  let stopping: Promise<void> | undefined;
  return {
    worker,
    watchdog,
    mongo,
    capacity,
    sweeper,
    async start() {
      mongo.start();
      await capacity.start();
      worker.start();
      watchdog.start();
      sweeper?.start();
      await sweeperBeat?.start();
    },
    stop() {
      stopping ??= stopAll([
        async () => watchdog.stop(),
        async () => sweeperBeat?.stop(),
        async () => sweeper?.stop(),
        () => worker.stop(config.worker.shutdownGraceMs),
        // After the worker: no step runs any more (the OCR engines end here).
        () => opts.steps.close(),
        () => capacity.stop(),
        () => mongo.stop(),
        () => rt.close(),
      ]);
      return stopping;
    },
  };
}
