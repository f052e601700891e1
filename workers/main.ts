/**
 * The worker process: `node --import tsx workers/main.ts [--no-sweeper]`.
 * Loads the config (exit 2 if invalid), builds the runtime, workflow catalog and steps, starts the
 * worker and the sweeper. SIGTERM / SIGINT: stop polling, give running jobs `SLUICE_SHUTDOWN_GRACE_MS`
 * to reach a resting point, release the leases of the rest, close clients, exit 0; a second signal
 * exits 1 at once.
 *
 * Liveness (issue 9 bugs A, B): while MongoDB is unreachable the worker receives no work (a
 * `MongoReachability` closes its intake, recreates the client after `SLUICE_MONGO_RECONNECT_AFTER_MS`);
 * a `Watchdog` restarts a stalled intake; heartbeats report both. A worker that cannot recover
 * (a dependency down for `SLUICE_DEPENDENCY_EXIT_AFTER_MS`, or an intake that keeps stalling) shuts
 * down as on SIGTERM and exits with `UNHEALTHY_EXIT_CODE` for its supervisor to replace it.
 */
import { ConfigError } from "../shared/config/config-error.ts";
import { exitOnConfigError, loadConfigOrExit } from "../shared/config/exit.ts";
import { entryArgsOrExit, type EntrySpec } from "../shared/runtime/entry-args.ts";
import { createLogger } from "../shared/log/logger.ts";
import { exitOnSignals, isEntryPoint } from "../shared/runtime/lifecycle.ts";
import { STATEMACHINES_DIR } from "../shared/runtime/runtime.ts";
import { builtInSteps } from "./steps/index.ts";
import { bootWorker, type RunningWorker, type WorkerBuild } from "./start-worker.ts";

export type { WorkerBuild };

/** Exit code of a worker that gave up on its own (distinct from 1, a crash, and 2, bad config). */
export const UNHEALTHY_EXIT_CODE = 3;

export const WORKER_ENTRY: EntrySpec = {
  command: "sluice-worker (node dist/workers/main.js)",
  summary:
    "Runs jobs from the work queue (ASL workflows, a checkpoint per transition) and, unless told not to,\nthe sweeper that recovers expired leases and due wake-ups. Runs until SIGTERM or SIGINT.",
  flags: [
    { name: "--no-sweeper", description: "run no sweeper in this process (keep at least one in the fleet)" },
  ],
};

export async function main(
  argv: readonly string[],
  build: WorkerBuild = { ...builtInSteps(), statemachinesDir: STATEMACHINES_DIR },
): Promise<void> {
  const flags = entryArgsOrExit(WORKER_ENTRY, argv);
  const config = loadConfigOrExit();
  const log = createLogger({ level: config.log.level, pretty: config.log.pretty, service: "worker" });
  let running: RunningWorker | undefined;
  try {
    running = await bootWorker(config, log, build, {
      sweeper: !flags.has("--no-sweeper"),
      onUnrecoverable: () => {
        // Bounded: a client that cannot reach its server must not hold the exit.
        setTimeout(() => process.exit(UNHEALTHY_EXIT_CODE), config.worker.shutdownGraceMs + 10_000).unref();
        void (running?.stop() ?? Promise.resolve())
          .catch((err: unknown) => log.error({ err }, "shutdown failed"))
          .finally(() => process.exit(UNHEALTHY_EXIT_CODE));
      },
    });
  } catch (err) {
    // Your steps (SLUICE_STEPS) or workflows (SLUICE_WORKFLOWS_DIR) are configuration: exit 2.
    if (err instanceof ConfigError) exitOnConfigError(err);
    throw err;
  }
  const proc = running;
  exitOnSignals({ log, shutdown: () => proc.stop() });
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(
      `worker failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
