import type { Logger } from "pino";
import type { TaskEffect } from "../shared/asl/index.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import type { StepContext } from "./sdk/context.ts";
import { bareStepServices, type StepServices } from "./sdk/services.ts";
import { stepIdempotencyKey } from "./step-key.ts";
import { StepError, type StepRegistry } from "./steps/registry.ts";
import type { MetricsSink } from "../shared/metrics/sluice-metrics.ts";

export type TaskOutcome = { ok: true; output: unknown } | { ok: false; error: string; cause: string };

export interface TaskExecutorDeps {
  steps: StepRegistry;
  log: Logger;
  /** Bound to the step's logger (made on first use) with the state and attempt. */
  logBindings?: Record<string, unknown>;
  /**
   * Called on every handler heartbeat: extends lease and visibility at once (the job runner also
   * extends them periodically for as long as the job is in the worker, see lease-keeper.ts).
   */
  keepAlive: () => Promise<void>;
  /** Aborts every running step (worker shutdown). */
  shutdown: AbortSignal;
  /** Blobs, tenant settings and outbound limits for `ctx`; default none (a bare registry). */
  services?: StepServices;
  /** Step durations and failures by resource; default none. */
  metrics?: MetricsSink;
}

/** How often a call waiting on `ctx.limiter` heartbeats when its state sets no `HeartbeatSeconds`. */
const LIMITER_HEARTBEAT_MS = 10_000;
let bare: StepServices | undefined;

/**
 * Runs one Task effect with its registered step handler, enforcing the state's `TimeoutSeconds`
 * (→ `States.Timeout`) and `HeartbeatSeconds` (→ `States.HeartbeatTimeout`, when the handler stops
 * calling `heartbeat`). Errors become Step Functions errors so Retry/Catch in the workflow apply:
 * a `StepError` keeps its name, anything else is `States.TaskFailed`. Never throws.
 */
export async function executeTask(
  deps: TaskExecutorDeps,
  tenantId: TenantId,
  jobId: string,
  task: TaskEffect,
): Promise<TaskOutcome> {
  if (deps.metrics === undefined) return runTask(deps, tenantId, jobId, task);
  const started = performance.now();
  const outcome = await runTask(deps, tenantId, jobId, task);
  deps.metrics.stepFinished(
    deps.steps.resolveNamed(task.resource)?.name ?? task.resource,
    (performance.now() - started) / 1000,
    outcome.ok ? undefined : outcome.error,
  );
  return outcome;
}

async function runTask(
  deps: TaskExecutorDeps,
  tenantId: TenantId,
  jobId: string,
  task: TaskEffect,
): Promise<TaskOutcome> {
  const step = deps.steps.resolveNamed(task.resource);
  if (!step) {
    return {
      ok: false,
      error: "States.TaskFailed",
      cause: `no step is registered for resource "${task.resource}"`,
    };
  }
  const abort = new AbortController();
  const onShutdown = () => abort.abort(new Error("worker shutting down"));
  deps.shutdown.addEventListener("abort", onShutdown, { once: true });
  let timedOut: TaskOutcome | undefined;
  const timers: NodeJS.Timeout[] = [];
  const fail = (error: string, cause: string) => {
    timedOut ??= { ok: false, error, cause };
    abort.abort(new Error(cause));
  };
  if (task.timeoutSeconds !== undefined) {
    timers.push(
      setTimeout(
        () => fail("States.Timeout", `step ${task.stateName} timed out after ${task.timeoutSeconds} s`),
        task.timeoutSeconds * 1000,
      ),
    );
  }
  let heartbeatTimer: NodeJS.Timeout | undefined;
  const armHeartbeat = () => {
    if (task.heartbeatSeconds === undefined) return;
    if (heartbeatTimer) clearTimeout(heartbeatTimer);
    heartbeatTimer = setTimeout(
      () =>
        fail(
          "States.HeartbeatTimeout",
          `step ${task.stateName} sent no heartbeat for ${task.heartbeatSeconds} s`,
        ),
      task.heartbeatSeconds * 1000,
    );
  };
  armHeartbeat();

  const idempotencyKey = stepIdempotencyKey(jobId, task);
  let stepLog: Logger | undefined;
  const log = (): Logger =>
    (stepLog ??= deps.log.child({ ...deps.logBindings, state: task.stateName, attempt: task.attempt }));
  try {
    const aborted = new Promise<never>((_, reject) => {
      abort.signal.addEventListener("abort", () => reject(abort.signal.reason), { once: true });
    });
    const services = deps.services ?? (bare ??= bareStepServices());
    const heartbeat = async () => {
      armHeartbeat();
      await deps.keepAlive();
    };
    const tenantSettings = await Promise.race([services.settings.get(tenantId), aborted]);
    const ctx: StepContext = {
      tenantId,
      jobId,
      stateName: task.stateName,
      attempt: task.attempt,
      idempotencyKey,
      signal: abort.signal,
      heartbeat,
      get log() {
        return log();
      },
      blobs: services.blobs(tenantId, jobId),
      settings: Object.freeze({ ...tenantSettings.steps[step.name] }),
      limiter: services.limits.bind({
        tenantId,
        signal: abort.signal,
        heartbeat,
        heartbeatEveryMs:
          task.heartbeatSeconds !== undefined ? (task.heartbeatSeconds * 1000) / 3 : LIMITER_HEARTBEAT_MS,
      }),
    };
    const output = await Promise.race([step.handler(task.input, ctx), aborted]);
    return { ok: true, output: output === undefined ? null : output };
  } catch (err) {
    if (timedOut) return timedOut;
    if (deps.shutdown.aborted)
      return { ok: false, error: "Sluice.WorkerShutdown", cause: "worker shutting down" };
    if (err instanceof StepError) return { ok: false, error: err.error, cause: err.causeText };
    const message = err instanceof Error ? err.message : String(err);
    log().warn({ err }, "step failed");
    return { ok: false, error: "States.TaskFailed", cause: message };
  } finally {
    for (const t of timers) clearTimeout(t);
    if (heartbeatTimer) clearTimeout(heartbeatTimer);
    deps.shutdown.removeEventListener("abort", onShutdown);
  }
}
