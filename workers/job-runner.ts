import type { Logger } from "pino";
import {
  completeTask,
  failTask,
  pendingTasks,
  startExecution,
  status,
  step,
  wakeAt,
  type CompiledMachine,
  type ExecutionState,
  type StepDeps,
  type TaskEffect,
} from "../shared/asl/index.ts";
import type { JobDoc, JobPatch } from "../shared/jobs/job-doc.ts";
import type { JobStore } from "../shared/jobs/job-store.ts";
import type { ClaimCheck } from "../shared/payloads/claim-check.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import type { WorkflowCatalog } from "../shared/workflows/catalog.ts";
import { executeTask, type TaskExecutorDeps, type TaskOutcome } from "./task-executor.ts";

export interface JobRunnerDeps {
  owner: string;
  leaseMs: number;
  catalog: WorkflowCatalog;
  claimCheck: ClaimCheck;
  engine: StepDeps;
  /** Waits shorter than this run in-process; longer ones rest the job with its wake-up time stored. */
  inlineWaitMs: number;
  tasks: Omit<TaskExecutorDeps, "keepAlive" | "log">;
  /** Extends the work message's visibility while the job runs (the lease is extended here). */
  extendVisibility: () => Promise<void>;
  log: Logger;
}

export type JobRunOutcome =
  | { kind: "finished"; status: "complete" | "failed" }
  | { kind: "resting"; wakeAt: number }
  | { kind: "released"; reason: string }
  | { kind: "skipped"; reason: string }
  | { kind: "lost"; reason: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one job from wherever its last checkpoint left it until a durable resting point: terminal,
 * a Wait whose wake-up time is stored, or released at shutdown. Claims the job with a lease first,
 * then writes the whole execution state after every transition as a compare-and-set on `version`.
 * A lost CAS means another worker owns the job now: this one stops without writing.
 */
export async function runJob(deps: JobRunnerDeps, jobs: JobStore, tenantId: TenantId, jobId: string): Promise<JobRunOutcome> {
  const now = () => deps.engine.now();
  const claim = await jobs.claim(jobId, deps.owner, deps.leaseMs, now());
  if (!claim.ok) return { kind: "skipped", reason: claim.reason };
  let job: JobDoc = claim.job;
  const log = deps.log.child({ tenantId, jobId, workflow: job.workflow.name });
  let version = job.version;

  const checkpoint = async (patch: JobPatch): Promise<boolean> => {
    const r = await jobs.casUpdate(jobId, version, patch, now());
    if (!r.ok) {
      log.warn({ expected: version, current: r.current?.version, status: r.current?.status }, "lost the job to another writer");
      return false;
    }
    version = r.version;
    return true;
  };
  const failJob = async (error: string, cause: string): Promise<JobRunOutcome> => {
    log.error({ error, cause }, "job failed");
    return (await checkpoint({ status: "failed", error, cause }))
      ? { kind: "finished", status: "failed" }
      : { kind: "lost", reason: "conflict" };
  };

  const workflow = deps.catalog.get(job.workflow.name);
  if (!workflow) return failJob("Sluice.UnknownWorkflow", `this fleet has no workflow "${job.workflow.name}"`);
  const machine: CompiledMachine = workflow.machine;
  let exec: ExecutionState;
  if (job.execution) {
    exec = job.execution as unknown as ExecutionState;
    if (exec.def !== machine.hash) {
      return failJob(
        "Sluice.WorkflowChanged",
        `job started on another definition of "${job.workflow.name}" (${exec.def}); this fleet runs ${machine.hash}`,
      );
    }
    log.info({ how: claim.how }, "resuming job from its checkpoint");
  } else {
    const input = await deps.claimCheck.load(tenantId, job.input);
    exec = startExecution(machine, input, {
      executionId: job._id,
      executionName: job._id,
      stateMachineName: job.workflow.name,
      startTime: new Date(job.startedAt ?? now()).toISOString(),
    });
  }

  const keepAlive = async () => {
    await Promise.all([jobs.extendLease(jobId, deps.owner, deps.leaseMs, now()), deps.extendVisibility()]);
  };
  const taskDeps: TaskExecutorDeps = { ...deps.tasks, keepAlive, log };
  // Tasks in flight when a previous worker died are issued again (at-least-once; handlers get a
  // stable idempotency key per job, state and attempt).
  let queue: TaskEffect[] = job.execution ? pendingTasks(machine, exec) : [];

  for (;;) {
    if (queue.length > 0) {
      const running = queue;
      queue = [];
      const results = await Promise.all(
        running.map(async (t) => [t, await executeTask(taskDeps, tenantId, jobId, t)] as const),
      );
      if (deps.tasks.shutdown.aborted) return release("worker shutting down");
      for (const [t, r] of results) exec = feed(machine, exec, t, r);
      if (!(await checkpoint({ execution: asDoc(exec) }))) return { kind: "lost", reason: "conflict" };
      continue;
    }
    const r = step(machine, exec, deps.engine);
    if (r.state === exec && r.effects.length === 0) {
      const st = status(exec);
      if (st === "waiting_timer") {
        const until = wakeAt(exec) ?? now();
        if (until - now() <= deps.inlineWaitMs) {
          await sleep(Math.max(0, until - now()));
          continue;
        }
        return rest(until);
      }
      if (st === "waiting_task") {
        queue = pendingTasks(machine, exec);
        if (queue.length > 0) continue;
      }
      return failJob("Sluice.EngineStalled", `execution made no progress in status ${st}`);
    }
    exec = r.state;
    for (const e of r.effects) {
      if (e.kind === "task") queue.push(e);
      else if (e.kind === "succeed") {
        const output = await deps.claimCheck.store(tenantId, jobId, "output", e.output);
        if (!(await checkpoint({ status: "complete", execution: asDoc(exec), output }))) {
          return { kind: "lost", reason: "conflict" };
        }
        log.info("job complete");
        return { kind: "finished", status: "complete" };
      } else if (e.kind === "fail") {
        if (!(await checkpoint({ execution: asDoc(exec) }))) return { kind: "lost", reason: "conflict" };
        return failJob(e.error ?? "States.Failed", e.cause ?? "");
      }
    }
    if (!(await checkpoint({ execution: asDoc(exec) }))) return { kind: "lost", reason: "conflict" };
  }

  async function rest(until: number): Promise<JobRunOutcome> {
    const r = await jobs.releaseLease(jobId, deps.owner, version, now(), { execution: asDoc(exec), wakeAt: until });
    if (!r.ok) return { kind: "lost", reason: "conflict" };
    log.info({ wakeAt: new Date(until).toISOString() }, "job resting on a Wait");
    return { kind: "resting", wakeAt: until };
  }

  async function release(reason: string): Promise<JobRunOutcome> {
    const r = await jobs.releaseLease(jobId, deps.owner, version, now(), { execution: asDoc(exec) });
    log.info({ reason, released: r.ok }, "job released");
    return r.ok ? { kind: "released", reason } : { kind: "lost", reason: "conflict" };
  }
}

function feed(machine: CompiledMachine, exec: ExecutionState, task: TaskEffect, r: TaskOutcome): ExecutionState {
  return r.ok ? completeTask(machine, exec, task.taskId, r.output) : failTask(machine, exec, task.taskId, r.error, r.cause);
}

function asDoc(exec: ExecutionState): Record<string, unknown> {
  return exec as unknown as Record<string, unknown>;
}
