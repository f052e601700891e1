import pLimit from "p-limit";
import type { JobRunOutcome } from "../shared/fleet/job-rested.ts";
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
import type { JobDoc, Review } from "../shared/jobs/job-doc.ts";
import type { JobStore } from "../shared/jobs/job-store.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import type { WorkflowVersions } from "../shared/workflows/versions.ts";
import { claimOrRetire } from "./claim-or-retire.ts";
import type { PayloadStore } from "../shared/payloads/payload-store.ts";
import { JobRefs } from "../shared/payloads/result-refs.ts";
import { ObjectTooLargeError } from "../shared/aws/s3.ts";
import { LeaseKeeper } from "./lease-keeper.ts";
import { replayableDeps } from "./replayable-deps.ts";
import { Checkpointer } from "./runner/checkpointer.ts";
import type { JobRunContext, JobRunner, JobWork } from "./runner/job-runner-port.ts";
import { obtainMachine } from "./runner/obtain-machine.ts";
import { executeTask, type TaskExecutorDeps, type TaskOutcome } from "./task-executor.ts";
import type { MetricsSink } from "../shared/metrics/sluice-metrics.ts";
import type { TraceContext } from "../shared/tracing/trace-context.ts";
import type { Tracing } from "../shared/tracing/tracing.ts";
import { RunTrace } from "./runner/run-trace.ts";

export interface JobRunnerDeps {
  owner: string;
  leaseMs: number;
  /** The definitions jobs run on (current files, then `workflow_versions`). */
  workflows: WorkflowVersions;
  /**
   * Runs in a row that may end without progress before the job is failed with `Sluice.Poison`
   * (counted on the job document across workers, redeliveries and sweeps; see decide-claim.ts).
   */
  maxAttempts: number;
  /** The one payload store: the job's input and output, review data, execution states, large results. */
  payloads: PayloadStore;
  engine: StepDeps;
  /** Waits shorter than this run in-process; longer ones rest the job with its wake-up time stored. */
  inlineWaitMs: number;
  /** Task states of one job (Parallel / Map branches) that run at once. */
  taskConcurrency: number;
  /** A Task that waits for a human decision (`needs_review`) instead of running a step. */
  isReviewTask: (task: TaskEffect) => boolean;
  tasks: Omit<TaskExecutorDeps, "keepAlive" | "log" | "logBindings">;
  /** Extends the work message's visibility while the job runs (the lease is extended here). */
  extendVisibility: () => Promise<void>;
  /**
   * How often lease and visibility are extended while the job is in the worker, from the claim to
   * its resting point (a third of the shorter of the lease and the visibility timeout).
   */
  keepAliveEveryMs: number;
  log: Logger;
  /** Job durations, checkpoint latency and step durations; default none. */
  metrics?: MetricsSink;
  /** Spans of each run, its states and steps (workers/runner/run-trace.ts); default none. */
  tracing?: Tracing;
}

export type { JobRunOutcome };

/** What the embedded ASL runner is configured with; the worker lends the rest to each run. */
export type AslRunnerConfig = Omit<JobRunnerDeps, "extendVisibility" | "tasks" | "log"> & {
  tasks: Omit<JobRunnerDeps["tasks"], "shutdown">;
};

/** The embedded ASL engine as a `JobRunner`: runs jobs in this process with `runJob`. */
export class AslJobRunner implements JobRunner {
  constructor(
    readonly config: AslRunnerConfig,
    private readonly jobsOf: (tenant: TenantId) => JobStore,
  ) {}

  run(work: JobWork, ctx: JobRunContext): Promise<JobRunOutcome> {
    const deps: JobRunnerDeps = {
      ...this.config,
      tasks: { ...this.config.tasks, shutdown: ctx.shutdown },
      extendVisibility: ctx.extendVisibility,
      log: ctx.log,
    };
    return runJob(deps, this.jobsOf(work.tenantId), work.tenantId, work.jobId, work.trace);
  }
}

const LOST: JobRunOutcome = { kind: "lost", reason: "conflict" };
/** The error of a job whose data is over the claim-check read limit. */
export const PAYLOAD_TOO_LARGE = "Sluice.PayloadTooLarge";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one job from wherever its last checkpoint left it until a durable resting point: terminal,
 * a Wait whose wake-up time is stored, `needs_review`, or released at shutdown. Claims the job with a
 * lease first (one write), then checkpoints the whole execution state as a compare-and-set on
 * `version`. A lost CAS means another writer owns the job now: this one stops without writing.
 * If anything throws (S3, MongoDB), the lease is given back before the error propagates, so the
 * redelivered message can claim the job at once.
 *
 * When it writes: consecutive pure transitions (Pass, Choice, entering a Task, a Wait or a
 * Parallel/Map, a task result fed back and whatever follows from it) are coalesced. A checkpoint is
 * written only before something outside the worker can see the execution's progress, and it carries
 * everything since the last one:
 * - before dispatching Task effects (a step sees its input, so the state that produced it is stored
 *   first, and the results of the steps before it are durable before the next one runs), except
 *   for the first tasks of a new execution (below);
 * - before time passes on a Wait (in-process sleep) and when resting on one (`wakeAt` stored);
 * - when parking for review, and at the end (complete / failed), in the same write as the status;
 * - after `MAX_UNWRITTEN_TRANSITIONS` pure transitions in a row.
 * The decision is `decideWrite` (workers/runner/checkpoint-policy.ts, pure); the `Checkpointer`
 * (workers/runner/checkpointer.ts) holds what is unwritten and makes the writes.
 * A job of Pass → Task → Pass → Task → Succeed takes 3 writes for 5 transitions: the claim, the
 * checkpoint before the second Task (the first one's result in it) and the completion.
 *
 * Why this is safe. A crash between two writes loses only the transitions and task results since
 * the last one; the next worker replays from the stored state. Pure transitions are deterministic up
 * to the injected clock, random numbers and UUIDs, and the values a lost stretch drew were seen by
 * nobody (never persisted nor sent to a step: a checkpoint precedes every dispatch), so drawing new
 * ones is harmless. The one stretch that dispatches without a checkpoint first is a new execution's
 * first, up to its first write or task result: it runs on `replayableDeps` (clock = the stored
 * `startedAt`, random numbers and UUIDs from a stream keyed by the job), so it is a pure function
 * of the stored document and a replay issues the very same tasks (ids, inputs, tokens, idempotency
 * keys). That needs the definition the job was created with (`workflow.version`), which
 * `workflow_versions` keeps even after its file changed (shared/workflows/versions.ts); a resumed job
 * runs the definition its execution names. Lost steps run again with the same idempotency key, as after a crash mid-step. No
 * transition is ever committed twice: each write is a CAS on the version the previous one produced.
 */
export async function runJob(
  deps: JobRunnerDeps,
  jobs: JobStore,
  tenantId: TenantId,
  jobId: string,
  /** The trace context of the work message, if it carries one (ADR 0027). */
  trace?: TraceContext,
): Promise<JobRunOutcome> {
  // Tracing off: not one span, not one branch more per transition than the checks of `rt` below.
  if (deps.tracing?.enabled !== true) return runSegment(deps, jobs, tenantId, jobId, undefined, undefined);
  const rt = new RunTrace(deps.tracing, tenantId, jobId);
  try {
    const outcome = await runSegment(deps, jobs, tenantId, jobId, rt, trace);
    rt.ended(outcome);
    return outcome;
  } catch (err) {
    rt.ended({ kind: "error", error: err });
    throw err;
  }
}

async function runSegment(
  deps: JobRunnerDeps,
  jobs: JobStore,
  tenantId: TenantId,
  jobId: string,
  rt: RunTrace | undefined,
  trace: TraceContext | undefined,
): Promise<JobRunOutcome> {
  const now = () => deps.engine.now();
  const claim = await claimOrRetire(
    () => jobs.claim(jobId, deps.owner, deps.leaseMs, now(), deps.maxAttempts),
    jobs,
    jobId,
    now,
    deps.log,
  );
  rt?.claimed(claim.job ?? undefined, trace);
  if (!claim.ok && claim.reason === "poisoned") {
    deps.log.error({ tenantId, jobId, cause: claim.job?.cause }, "job failed: out of attempts");
  }
  if (!claim.ok) {
    return claim.reason === "invalid_document" || claim.reason === "poisoned"
      ? { kind: "finished", status: "failed" }
      : { kind: "skipped", reason: claim.reason };
  }
  const job: JobDoc = claim.job;
  // The job's logger is made on first use (most jobs log nothing at the usual levels).
  let jobLog: Logger | undefined;
  const log = (): Logger => (jobLog ??= deps.log.child({ tenantId, jobId, workflow: job.workflow.name }));
  const info = (obj: object, msg: string) => {
    if (deps.log.isLevelEnabled("info")) log().info(obj, msg);
  };
  /** The references to stored step results this job may resolve (tenant data is never resolved). */
  const refs = JobRefs.of(job);
  const cp = new Checkpointer(
    {
      store: jobs,
      payloads: deps.payloads,
      tenantId,
      jobId,
      owner: deps.owner,
      refs,
      now,
      log,
      ...(deps.metrics !== undefined ? { metrics: deps.metrics } : {}),
      ...(rt !== undefined ? { trace: rt } : {}),
    },
    { version: job.version, executionRef: job.executionRef ?? null },
  );
  // The lease and the message stay alive for as long as the job is here, step or no step.
  const keeper = new LeaseKeeper({
    extendLease: async () => (await jobs.extendLease(jobId, deps.owner, deps.leaseMs, now())).ok,
    extendVisibility: deps.extendVisibility,
    everyMs: deps.keepAliveEveryMs,
    log,
  });
  keeper.start();
  try {
    const outcome = await drive();
    if (deps.metrics !== undefined && (outcome.kind === "finished" || outcome.kind === "review")) {
      const status = outcome.kind === "finished" ? outcome.status : "needs_review";
      deps.metrics.jobFinished(job.workflow.name, status, (now() - job.createdAt) / 1000);
    }
    return outcome;
  } catch (err) {
    // A claim-check read over the limit (e.g. an `inputRef` to gigabytes) can never succeed.
    if (err instanceof ObjectTooLargeError) return await failJob(PAYLOAD_TOO_LARGE, err.message);
    await keeper.stop();
    const released = await cp.abandon().catch(() => false);
    log().warn({ err, released }, "job run failed; lease given back");
    throw err;
  } finally {
    await keeper.stop();
  }

  async function failJob(error: string, cause: string, exec?: ExecutionState): Promise<JobRunOutcome> {
    log().error({ error, cause }, "job failed");
    return (await cp.end(exec, { status: "failed", error, cause }))
      ? { kind: "finished", status: "failed" }
      : LOST;
  }

  async function drive(): Promise<JobRunOutcome> {
    const saved = await deps.payloads.loadExecution(tenantId, job);
    const found = await obtainMachine(deps.workflows, job, saved);
    if (!found.ok) return failJob(found.error, found.cause);
    const machine: CompiledMachine = found.machine;
    let exec: ExecutionState;
    let firstDeps: StepDeps = deps.engine;
    if (saved) {
      exec = saved;
      cp.resumed(saved);
      info({ how: claim.ok ? claim.how : undefined }, "resuming job from its checkpoint");
    } else {
      const input = await deps.payloads.load(tenantId, job.input);
      // The claim stored `startedAt`; a replay after a crash starts from the same value.
      const startedAt = job.startedAt ?? now();
      exec = startExecution(machine, input, {
        executionId: job._id,
        executionName: job._id,
        stateMachineName: job.workflow.name,
        startTime: new Date(startedAt).toISOString(),
      });
      cp.startedNew(job.startedAt !== null && found.asCreated);
      firstDeps = replayableDeps(deps.engine, job._id, startedAt);
    }

    const taskDeps: TaskExecutorDeps = {
      ...deps.tasks,
      keepAlive: () => keeper.touch(),
      log: deps.log,
      logBindings: { tenantId, jobId },
    };
    const limit = pLimit(deps.taskConcurrency);
    const runTask = async (t: TaskEffect): Promise<TaskOutcome> => {
      if (rt === undefined) return callStep(t);
      const span = rt.stepStarted(t, deps.tasks.steps.resolveNamed(t.resource)?.name ?? t.resource);
      try {
        const r = await callStep(t);
        rt.stepEnded(span, r.ok ? undefined : r);
        return r;
      } catch (err) {
        rt.stepEnded(span, { error: "Error", cause: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    };
    const callStep = async (t: TaskEffect): Promise<TaskOutcome> => {
      const input = await deps.payloads.resolve(tenantId, t.input, refs);
      const r = await executeTask(taskDeps, tenantId, jobId, input === t.input ? t : { ...t, input });
      if (!r.ok) return r;
      return {
        ok: true,
        output: await deps.payloads.storeResult(tenantId, refs, `${t.stateName}-${t.taskId}`, r.output),
      };
    };
    for (;;) {
      // Pure transitions first, as many as the engine can make on its own (no write in between).
      // A new execution's first stretch draws on the derived clock until its first write or result.
      const r = step(machine, exec, cp.reproducible ? firstDeps : deps.engine);
      if (r.events.length > 0) {
        cp.noteEvents(r.events);
        rt?.states(r.events);
      }
      if (r.state !== exec || r.effects.length > 0) {
        exec = r.state;
        cp.transitioned();
        for (const e of r.effects) {
          if (e.kind === "succeed") {
            const value = await deps.payloads.resolve(tenantId, e.output, refs);
            const output = await deps.payloads.store(tenantId, jobId, "output", value);
            if (!(await cp.end(exec, { status: "complete", output }))) return LOST;
            info({}, "job complete");
            return { kind: "finished", status: "complete" };
          } else if (e.kind === "fail") {
            return failJob(e.error ?? "States.Failed", e.cause ?? "", exec);
          }
        }
        if (!(await cp.afterTransitions(exec))) return LOST;
        continue;
      }

      // The engine is blocked: on tasks, or on a timer. Every result of the tasks run before was fed
      // back, so the pending tasks are those issued since (task effects of this round), or, on a
      // resumed job, those in flight when a previous worker died: issued again (at-least-once;
      // handlers get the same idempotency key, one per Task invocation). A task a failing sibling
      // branch cancelled in the meantime is no longer pending and never runs. Review tasks park.
      const queue = pendingTasks(machine, exec);
      if (queue.length > 0) {
        const reviews = queue.filter((t) => deps.isReviewTask(t));
        const runnable = queue.filter((t) => !deps.isReviewTask(t));
        if (runnable.length > 0) {
          // Steps see their input: the state that issued them is stored first, unless a replay
          // would issue the very same tasks.
          if (!(await cp.beforeDispatch(exec))) return LOST;
          const results = await Promise.all(
            runnable.map((t) => limit(async () => [t, await runTask(t)] as const)),
          );
          if (deps.tasks.shutdown.aborted) return release(exec, "worker shutting down");
          cp.tasksFed();
          for (const [t, res] of results) exec = feed(machine, exec, t, res);
        }
        const review = reviews[0];
        if (review) return park(exec, review);
        continue;
      }
      const st = status(exec);
      if (st === "waiting_timer") {
        const until = wakeAt(exec) ?? now();
        if (until - now() <= deps.inlineWaitMs) {
          if (!(await cp.beforeSleep(exec))) return LOST;
          await sleep(Math.max(0, until - now()));
          continue;
        }
        return rest(exec, until);
      }
      return failJob("Sluice.EngineStalled", `execution made no progress in status ${st}`, exec);
    }
  }

  async function park(exec: ExecutionState, t: TaskEffect): Promise<JobRunOutcome> {
    const data = await deps.payloads.resolve(tenantId, t.input, refs);
    const name = `review-${t.stateName.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 80)}-${t.taskId}`;
    const review: Review = {
      taskToken: t.taskToken ?? t.taskId,
      stateName: t.stateName,
      input: await deps.payloads.store(tenantId, jobId, name, data),
      requestedAt: now(),
      ...(t.timeoutSeconds !== undefined ? { timeoutAt: now() + t.timeoutSeconds * 1000 } : {}),
    };
    if (!(await cp.park(exec, review))) return LOST;
    info({ state: t.stateName }, "job waiting for review");
    return { kind: "review", stateName: t.stateName };
  }

  async function rest(exec: ExecutionState, until: number): Promise<JobRunOutcome> {
    if (!(await cp.rest(exec, until))) return LOST;
    info({ wakeAt: new Date(until).toISOString() }, "job resting on a Wait");
    return { kind: "resting", wakeAt: until };
  }

  async function release(exec: ExecutionState, reason: string): Promise<JobRunOutcome> {
    const ok = await cp.release(exec);
    info({ reason, released: ok }, "job released");
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
