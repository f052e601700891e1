/**
 * The worker process: `node --import tsx workers/main.ts [--no-sweeper]`.
 * Loads the config (exit 2 if invalid), builds the runtime, workflow catalog and steps, starts the
 * worker and the sweeper. SIGTERM / SIGINT: stop polling, give running jobs `SLUICE_SHUTDOWN_GRACE_MS`
 * to reach a resting point, release the leases of the rest, close clients, exit 0; a second signal
 * exits 1 at once.
 */
import { loadConfigOrExit } from "../shared/config/exit.ts";
import { entryArgsOrExit, type EntrySpec } from "../shared/runtime/entry-args.ts";
import { createLogger } from "../shared/log/logger.ts";
import { exitOnSignals, isEntryPoint, stopAll } from "../shared/runtime/lifecycle.ts";
import { createRuntime, STATEMACHINES_DIR } from "../shared/runtime/runtime.ts";
import { loadWorkflowCatalog } from "../shared/workflows/catalog.ts";
import { createUsageSettleHook } from "../scheduler/create-fair-scheduler.ts";
import { createCapacityReporter } from "./capacity-reporter.ts";
import { createWorker } from "./create-worker.ts";
import { defaultSteps } from "./steps/index.ts";
import { createReviews } from "./review.ts";
import { createSweeper } from "./sweeper.ts";

export const WORKER_ENTRY: EntrySpec = {
  command: "sluice-worker (node dist/workers/main.js)",
  summary:
    "Runs jobs from the work queue (ASL workflows, a checkpoint per transition) and, unless told not to,\nthe sweeper that recovers expired leases and due wake-ups. Runs until SIGTERM or SIGINT.",
  flags: [
    { name: "--no-sweeper", description: "run no sweeper in this process (keep at least one in the fleet)" },
  ],
};

export async function main(argv: readonly string[]): Promise<void> {
  const flags = entryArgsOrExit(WORKER_ENTRY, argv);
  const config = loadConfigOrExit();
  const log = createLogger({ level: config.log.level, pretty: config.log.pretty, service: "worker" });
  const rt = await createRuntime(config, log);
  const steps = defaultSteps();
  const catalog = await loadWorkflowCatalog(STATEMACHINES_DIR, {
    hasStep: (r) => steps.resolve(r) !== undefined,
  });
  const worker = createWorker(rt, { catalog, steps, onSettled: createUsageSettleHook(rt) });
  const capacity = createCapacityReporter(rt, worker);
  const sweeper = flags.has("--no-sweeper")
    ? undefined
    : createSweeper(rt, { reviews: createReviews(rt, catalog) });
  exitOnSignals({
    log,
    shutdown: () =>
      stopAll([
        async () => sweeper?.stop(),
        () => worker.stop(config.worker.shutdownGraceMs),
        () => capacity.stop(),
        () => rt.close(),
      ]),
  });
  await capacity.start();
  worker.start();
  sweeper?.start();
  log.info(
    {
      workflows: catalog.names(),
      steps: steps.names(),
      concurrency: config.worker.concurrency,
      sweeper: !!sweeper,
    },
    "worker started",
  );
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(
      `worker failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
