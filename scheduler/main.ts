/**
 * The scheduler process: `node --import tsx scheduler/main.ts`. Runs the release loop until
 * SIGTERM / SIGINT (graceful: the tick in progress finishes, clients close, exit 0; a second signal
 * exits 1). Kept thin: the fair-share loop lives in loop/ (wired in create-fair-scheduler.ts). Workers
 * must report capacity (`CapacityReporter`) and give slots back (`createUsageSettleHook`).
 */
import { ConfigError } from "../shared/config/config-error.ts";
import { exitOnConfigError, loadConfigOrExit } from "../shared/config/exit.ts";
import { entryArgsOrExit, type EntrySpec } from "../shared/runtime/entry-args.ts";
import { createLogger } from "../shared/log/logger.ts";
import { SweeperRegistry } from "../shared/fleet/sweeper-heartbeats.ts";
import { createMongoReachability } from "../shared/mongo/reachability.ts";
import { exitOnSignals, isEntryPoint, stopAll } from "../shared/runtime/lifecycle.ts";
import { createRuntime, STATEMACHINES_DIR } from "../shared/runtime/runtime.ts";
import { startTracing } from "../shared/tracing/start-tracing.ts";
import { BUILT_IN_STEP_NAMES } from "../shared/workflows/step-manifest.ts";
import { createFairScheduler } from "./create-fair-scheduler.ts";
import { exportSchedulerMetrics } from "./metrics/export.ts";
import { startProcessMetrics } from "../shared/metrics/process-metrics.ts";
import { dlqName, workQueueName } from "../shared/aws/queue-names.ts";
import { FleetCapacity } from "./store/capacity.ts";
import { FleetStepCatalog } from "./workflows/fleet-step-catalog.ts";
import { SweeperWatch } from "./sweeper-watch.ts";

export const SCHEDULER_ENTRY: EntrySpec = {
  command: "sluice-scheduler (node dist/scheduler/main.js)",
  summary:
    "Releases jobs fairly from the tenants' intake queues to the work queue, with quotas read live from MongoDB.\nRuns until SIGTERM or SIGINT (graceful; a second signal exits 1).",
  flags: [],
};

/**
 * What the scheduler validates intake against: the names of the steps the fleet's workers run (a
 * names-only manifest; the scheduler never loads step code) and the workflows folder.
 */
export interface SchedulerBuild {
  stepNames: readonly string[];
  statemachinesDir: string;
}

export async function main(
  argv: readonly string[] = [],
  build: SchedulerBuild = { stepNames: BUILT_IN_STEP_NAMES, statemachinesDir: STATEMACHINES_DIR },
): Promise<void> {
  entryArgsOrExit(SCHEDULER_ENTRY, argv);
  const config = loadConfigOrExit();
  const log = createLogger({ level: config.log.level, pretty: config.log.pretty, service: "scheduler" });
  const served = await startProcessMetrics(config, "scheduler", log);
  const tracing = startTracing(config, "sluice-scheduler", log);
  const rt = await createRuntime(config, log, {
    ...(served !== undefined ? { metrics: served.metrics } : {}),
    tracing,
  });
  // Workflows: the build's folder and SLUICE_WORKFLOWS_DIR; steps: the build's names and those live
  // workers publish (their SLUICE_STEPS). An invalid file is refused on its own (logged with its
  // JSON pointers); the valid ones run.
  const fleet = new FleetCapacity(rt.fleetDb);
  let steps: FleetStepCatalog;
  try {
    steps = await FleetStepCatalog.load({
      dirs: [
        build.statemachinesDir,
        ...(config.extensions.workflowsDir !== undefined ? [config.extensions.workflowsDir] : []),
      ],
      builtInSteps: build.stepNames,
      fleetStepNames: () => fleet.stepNames(Date.now()),
      now: Date.now,
      log,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      await rt.close().catch(() => undefined);
      exitOnConfigError(err);
    }
    throw err;
  }
  const catalog = steps.catalog;
  const scheduler = createFairScheduler(rt, () => steps.catalog, {
    refreshCatalog: () => steps.refresh(),
    onRelease: (e) => rt.metrics.released(e.tenantId, e.waitMs),
  });
  const stopExport =
    served === undefined
      ? () => undefined
      : exportSchedulerMetrics(scheduler, served.metrics, {
          sqs: rt.sqs,
          workDlqUrl: rt.queues.workDlq,
          workDlqName: dlqName(workQueueName(config.queues.prefix)),
          intakeDlq: (t) => rt.queues.intake(t),
          log,
        });
  // MongoDB unreachable: recreate the client after a while; exit 3 (as a worker does) when it stays down.
  const mongoUp = createMongoReachability(rt.mongo, config.health, log);
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= stopAll([
      () => mongoUp.stop(),
      () => scheduler.stop(),
      async () => stopExport(),
      () => rt.close(),
      async () => served?.close(),
      // Last: the spans of everything above are sent.
      () => tracing.shutdown(),
    ]));
  exitOnSignals({ log, shutdown });
  const watch = setInterval(() => {
    const down = mongoUp.downForMs();
    if (down === undefined || down < config.health.exitAfterMs) return;
    clearInterval(watch);
    log.fatal({ downForMs: down }, "MongoDB unreachable too long: exiting for the supervisor");
    setTimeout(() => process.exit(3), 10_000).unref();
    void shutdown().finally(() => process.exit(3));
  }, config.health.checkMs);
  watch.unref();
  // Warn in the log while no sweeper is alive (expired leases would never be recovered).
  const sweepers = new SweeperWatch({ registry: new SweeperRegistry(rt.fleetDb), now: Date.now, log });
  const sweeperCheck = setInterval(() => void sweepers.check(), 5_000);
  sweeperCheck.unref();
  mongoUp.start();
  await scheduler.start();
  log.info({ workflows: catalog.names() }, "scheduler started");
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(
      `scheduler failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
