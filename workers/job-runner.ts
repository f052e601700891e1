import pLimit from "p-limit";
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
import type { HistoryEvent, JobDoc, JobPatch, Review } from "../shared/jobs/job-doc.ts";
import type { CasResult, JobStore } from "../shared/jobs/job-store.ts";
import type { ClaimCheck } from "../shared/payloads/claim-check.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import type { WorkflowCatalog } from "../shared/workflows/catalog.ts";
import type { JobData, S3Ref } from "./job-data.ts";
import { executeTask, type TaskExecutorDeps, type TaskOutcome } from "./task-executor.ts";

export interface JobRunnerDeps {
  owner: string;
  leaseMs: number;
  catalog: WorkflowCatalog;
  claimCheck: ClaimCheck;
  /** Claim check of execution states and large step results. */
  data: JobData;
  engine: StepDeps;
  /** Waits shorter than this run in-process; longer ones rest the job with its wake-up time stored. */
  inlineWaitMs: number;
  /** Task states of one job (Parallel / Map branches) that run at once. */
  taskConcurrency: number;
  /** A Task that waits for a human decision (`needs_review`) instead of running a step. */
  isReviewTask: (task: TaskEffect) => boolean;
  tasks: Omit<TaskExecutorDeps, "keepAlive" | "log">;
  /** Extends the work message's visibility while the job runs (the lease is extended here). */
  extendVisibility: () => Promise<void>;
  log: Logger;
}

export type JobRunOutcome =
  | { kind: "finished"; status: "complete" | "failed" }
  | { kind: "resting"; wakeAt: number }
  | { kind: "review"; stateName: string }
  | { kind: "released"; reason: string }
  | { kind: "skipped"; reason: string }
  | { kind: "lost"; reason: string };

const LOST: JobRunOutcome = { kind: "lost", reason: "conflict" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one job from wherever its last checkpoint left it until a durable resting point: terminal,
 * a Wait whose wake-up time is stored, `needs_review`, or released at shutdown. Claims the job with a
 * lease first, then writes the whole execution state after every transition as a compare-and-set on
 * `version`. A lost CAS means another writer owns the job now: this one stops without writing.
 * If anything throws (S3, MongoDB), the lease is given back before the error propagates, so the
 * redelivered message can claim the job at once.
 */
export async function runJob(
  deps: JobRunnerDeps,
  jobs: JobStore,
  tenantId: TenantId,
  jobId: string,
): Promise<JobRunOutcome> {
  const now = () => deps.engine.now();
  const claim = await jobs.claim(jobId, deps.owner, deps.leaseMs, now());
  if (!claim.ok) return { kind: "skipped", reason: claim.reason };
  const job: JobDoc = claim.job;
  const log = deps.log.child({ tenantId, jobId, workflow: job.workflow.name });
  let version = job.version;
  let execRef: S3Ref | null = job.executionRef ?? null;
  try {
    return await drive();
  } catch (err) {
    const r = await jobs.releaseLease(jobId, deps.owner, version, now()).catch(() => undefined);
    log.warn({ err, released: r?.ok ?? false }, "job run failed; lease given back");
    throw err;
  }

  /** One CAS write carrying `exec` (inline or claim-checked); cleans up the superseded S3 object. */
  async function persist(
    exec: ExecutionState | undefined,
    write: (fields: JobPatch, expected: number) => Promise<CasResult>,
  ): Promise<boolean> {
    const fields: Pick<JobPatch, "execution" | "executionRef"> = exec
      ? await deps.data.executionPatch(tenantId, jobId, exec)
      : {};
    const r = await write(fields, version);
    const written = fields.executionRef ?? null;
    if (!r.ok) {
      log.warn(
        { expected: version, current: r.current?.version, status: r.current?.status },
        "lost the job to another writer",
      );
      await deps.data.discard(tenantId, written, null);
      return false;
    }
    version = r.version;
    if (exec) {
      await deps.data.discard(tenantId, execRef, written);
      execRef = written;
    }
    return true;
  }
  function checkpoint(exec: ExecutionState | undefined, patch: JobPatch = {}, history?: HistoryEvent[]) {
    return persist(exec, (fields, expected) =>
      jobs.casUpdate(jobId, expected, { ...patch, ...fields }, now(), history ? { history } : {}),
    );
  }
  async function failJob(error: string, cause: string, exec?: ExecutionState): Promise<JobRunOutcome> {
    log.error({ error, cause }, "job failed");
    return (await checkpoint(exec, { status: "failed", error, cause }))
      ? { kind: "finished", status: "failed" }
      : LOST;
  }

  async function drive(): Promise<JobRunOutcome> {
    const workflow = deps.catalog.get(job.workflow.name);
    if (!workflow)
      return failJob("Sluice.UnknownWorkflow", `this fleet has no workflow "${job.workflow.name}"`);
    const machine: CompiledMachine = workflow.machine;
    const saved = await deps.data.loadExecution(tenantId, job);
    let exec: ExecutionState;
    if (saved) {
      exec = saved;
      if (exec.def !== machine.hash) {
        return failJob(
          "Sluice.WorkflowChanged",
          `job started on another definition of "${job.workflow.name}" (${exec.def}); this fleet runs ${machine.hash}`,
        );
      }
      log.info({ how: claim.ok ? claim.how : undefined }, "resuming job from its checkpoint");
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
    const limit = pLimit(deps.taskConcurrency);
    const runTask = async (t: TaskEffect): Promise<TaskOutcome> => {
      const input = await deps.data.resolve(tenantId, t.input);
      const r = await executeTask(taskDeps, tenantId, jobId, input === t.input ? t : { ...t, input });
      if (!r.ok) return r;
      return {
        ok: true,
        output: await deps.data.storeResult(tenantId, jobId, `${t.stateName}-${t.taskId}`, r.output),
      };
    };
    // Tasks in flight when a previous worker died are issued again (at-least-once; handlers get a
    // stable idempotency key per job, state and attempt). Review tasks park the job again.
    let queue: TaskEffect[] = saved ? pendingTasks(machine, exec) : [];

    for (;;) {
      if (queue.length > 0) {
        const reviews = queue.filter((t) => deps.isReviewTask(t));
        const runnable = queue.filter((t) => !deps.isReviewTask(t));
        queue = [];
        if (runnable.length > 0) {
          const results = await Promise.all(
            runnable.map((t) => limit(async () => [t, await runTask(t)] as const)),
          );
          if (deps.tasks.shutdown.aborted) return release(exec, "worker shutting down");
          for (const [t, r] of results) exec = feed(machine, exec, t, r);
        }
        const review = reviews[0];
        if (review) return park(exec, review);
        if (!(await checkpoint(exec))) return LOST;
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
          return rest(exec, until);
        }
        if (st === "waiting_task") {
          queue = pendingTasks(machine, exec);
          if (queue.length > 0) continue;
        }
        return failJob("Sluice.EngineStalled", `execution made no progress in status ${st}`, exec);
      }
      exec = r.state;
      for (const e of r.effects) {
        if (e.kind === "task") queue.push(e);
        else if (e.kind === "succeed") {
          const value = await deps.data.resolve(tenantId, e.output);
          const output = await deps.claimCheck.store(tenantId, jobId, "output", value);
          if (!(await checkpoint(exec, { status: "complete", output }))) return LOST;
          log.info("job complete");
          return { kind: "finished", status: "complete" };
        } else if (e.kind === "fail") {
          return failJob(e.error ?? "States.Failed", e.cause ?? "", exec);
        }
      }
      if (!(await checkpoint(exec))) return LOST;
    }
  }

  async function park(exec: ExecutionState, t: TaskEffect): Promise<JobRunOutcome> {
    const data = await deps.data.resolve(tenantId, t.input);
    const name = `review-${t.stateName.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 80)}-${t.taskId}`;
    const stored = await deps.claimCheck.store(tenantId, jobId, name, data);
    const review: Review = {
      taskToken: t.taskToken ?? t.taskId,
      stateName: t.stateName,
      data: "inline" in stored ? stored.inline : null,
      ...("s3" in stored ? { dataRef: stored.s3 } : {}),
      requestedAt: now(),
    };
    const history = [{ at: now(), type: "review_requested", state: t.stateName }];
    if (!(await checkpoint(exec, { status: "needs_review", review }, history))) return LOST;
    log.info({ state: t.stateName }, "job waiting for review");
    return { kind: "review", stateName: t.stateName };
  }

  async function rest(exec: ExecutionState, until: number): Promise<JobRunOutcome> {
    const ok = await persist(exec, (fields, expected) =>
      jobs.releaseLease(jobId, deps.owner, expected, now(), { ...fields, wakeAt: until }),
    );
    if (!ok) return LOST;
    log.info({ wakeAt: new Date(until).toISOString() }, "job resting on a Wait");
    return { kind: "resting", wakeAt: until };
  }

  async function release(exec: ExecutionState, reason: string): Promise<JobRunOutcome> {
    const ok = await persist(exec, (fields, expected) =>
      jobs.releaseLease(jobId, deps.owner, expected, now(), fields),
    );
    log.info({ reason, released: ok }, "job released");
    return ok ? { kind: "released", reason } : LOST;
  }
}

function feed(
  machine: CompiledMachine,
  exec: ExecutionState,
  task: TaskEffect,
  r: TaskOutcome,
): ExecutionState {
  return r.ok
    ? completeTask(machine, exec, task.taskId, r.output)
    : failTask(machine, exec, task.taskId, r.error, r.cause);
}
