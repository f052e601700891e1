/**
 * Starting a worker process's components from a configuration: the built-in steps plus the user's
 * (`SLUICE_STEPS` modules, or `steps` given in code), the workflows of `statemachines/` plus the
 * user's folder (`SLUICE_WORKFLOWS_DIR`, or `workflowsDir`), the runtime, the worker, its sweeper.
 * `workers/main.ts` runs it as the `sluice-worker` process; `startWorker` is the library API
 * (`import { startWorker } from "sluice"`). Problems with the user's steps or workflows are a
 * `ConfigError` (the process exits 2), raised before anything connects.
 */
import type { Logger } from "pino";
import type { Env, SluiceConfig } from "../shared/config/config.ts";
import { loadConfig } from "../shared/config/config.ts";
import { createLogger } from "../shared/log/logger.ts";
import { createRuntime, STATEMACHINES_DIR, type Runtime } from "../shared/runtime/runtime.ts";
import { startProcessMetrics } from "../shared/metrics/process-metrics.ts";
import { startTracing } from "../shared/tracing/start-tracing.ts";
import type { WorkflowCatalog } from "../shared/workflows/catalog.ts";
import { loadWorkflowDirs } from "../shared/workflows/catalog-dirs.ts";
import { logInvalidWorkflows } from "../shared/workflows/versions.ts";
import type { Step } from "./sdk/define-step.ts";
import { loadStepModules } from "./sdk/load-steps.ts";
import { builtInSteps } from "./steps/index.ts";
import type { StepRegistry } from "./steps/registry.ts";
import { createWorkerProcess, type WorkerProcess } from "./worker-process.ts";

/** What a worker build ships before configuration adds to it: its steps and workflow folders. */
export interface WorkerBuild {
  steps: StepRegistry;
  statemachinesDir: string;
  /** Called once the runtime exists, before the worker starts (the built-in `llm` step binds its provider and budgets). */
  bindRuntime?: (rt: Runtime) => void;
}

export interface BootOptions {
  sweeper: boolean;
  owner?: string;
  /** The watchdog gave up (see `WorkerProcessOptions.onUnrecoverable`). */
  onUnrecoverable: (reason: string) => void;
}

export interface RunningWorker {
  readonly process: WorkerProcess;
  readonly catalog: WorkflowCatalog;
  readonly steps: StepRegistry;
  /** Stops polling, gives running jobs the shutdown grace, closes clients. Idempotent. */
  stop(): Promise<void>;
}

/** Adds the configured steps and workflows to `build`, then builds and starts the worker process. */
export async function bootWorker(
  config: SluiceConfig,
  log: Logger,
  build: WorkerBuild,
  opts: BootOptions,
  extraDirs: readonly string[] = [],
): Promise<RunningWorker> {
  const steps = build.steps;
  steps.add(...(await loadStepModules(config.extensions.steps, { taken: steps.names() })));
  const dirs = [build.statemachinesDir, ...extraDirs];
  if (config.extensions.workflowsDir !== undefined) dirs.push(config.extensions.workflowsDir);
  const catalog = await loadWorkflowDirs(dirs, { hasStep: (r) => steps.resolve(r) !== undefined });
  // An invalid file is refused on its own (logged with its JSON pointers); the valid ones run.
  logInvalidWorkflows(catalog, log);
  const served = await startProcessMetrics(config, "worker", log);
  const tracing = startTracing(config, "sluice-worker", log);
  let rt: Runtime;
  try {
    rt = await createRuntime(config, log, {
      ...(served !== undefined ? { metrics: served.metrics } : {}),
      tracing,
    });
  } catch (err) {
    await served?.close();
    await tracing.shutdown();
    throw err;
  }
  build.bindRuntime?.(rt);
  const proc = createWorkerProcess(rt, {
    catalog,
    steps,
    sweeper: opts.sweeper,
    ...(opts.owner !== undefined ? { owner: opts.owner } : {}),
    onUnrecoverable: opts.onUnrecoverable,
  });
  await proc.start();
  log.info(
    {
      workflows: catalog.names(),
      invalidWorkflows: catalog.invalidWorkflows().map((w) => w.file),
      steps: steps.names(),
      concurrency: config.worker.concurrency,
      sweeper: !!proc.sweeper,
    },
    "worker started",
  );
  return {
    process: proc,
    catalog,
    steps,
    stop: async () => {
      try {
        await proc.stop();
      } finally {
        await served?.close();
        // Last: the spans of the runs that just ended are sent.
        await tracing.shutdown();
      }
    },
  };
}

export interface StartWorkerOptions {
  /** Your steps, besides the built-in ones and `SLUICE_STEPS`'. */
  steps?: readonly Step[];
  /** A folder of your workflows, besides `statemachines/` and `SLUICE_WORKFLOWS_DIR`. */
  workflowsDir?: string;
  /** Settings (the same names as the environment); default `process.env`. */
  env?: Env;
  /** Run a sweeper in this process (keep at least one in the fleet); default true. */
  sweeper?: boolean;
  /** Lease owner and heartbeat id; default derived from host and pid. */
  owner?: string;
  log?: Logger;
  /**
   * The worker cannot recover (a dependency down too long): default stops it and logs; a process
   * supervisor should then replace the process.
   */
  onUnrecoverable?: (reason: string) => void;
}

/**
 * Starts a worker in this process: `const worker = await startWorker({ steps: [myStep] })`, then
 * `await worker.stop()` (e.g. on SIGTERM). Throws a `ConfigError` for bad settings, steps or
 * workflows.
 */
export async function startWorker(options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const config = loadConfig(options.env ?? process.env);
  const log =
    options.log ?? createLogger({ level: config.log.level, pretty: config.log.pretty, service: "worker" });
  const self: { running?: RunningWorker } = {};
  const builtIn = builtInSteps();
  self.running = await bootWorker(
    config,
    log,
    {
      steps: builtIn.steps.add(...(options.steps ?? [])),
      statemachinesDir: STATEMACHINES_DIR,
      bindRuntime: builtIn.bindRuntime,
    },
    {
      sweeper: options.sweeper ?? true,
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
      onUnrecoverable:
        options.onUnrecoverable ??
        ((reason) => {
          log.fatal({ reason }, "worker cannot recover: stopping");
          void self.running?.stop();
        }),
    },
    options.workflowsDir !== undefined ? [options.workflowsDir] : [],
  );
  return self.running;
}
