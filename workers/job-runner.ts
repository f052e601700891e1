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
import type { HistoryEvent, JobDoc, JobPatch, Review } from "../shared/jobs/job-doc.ts";
import type { CasResult, JobStore } from "../shared/jobs/job-store.ts";
import type { ClaimCheck } from "../shared/payloads/claim-check.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import type { WorkflowVersions } from "../shared/workflows/versions.ts";
import { claimOrRetire } from "./claim-or-retire.ts";
import { JobRefs, type JobData, type S3Ref } from "./job-data.ts";
import { ObjectTooLargeError } from "../shared/aws/s3.ts";
import { LeaseKeeper } from "./lease-keeper.ts";
import { replayableDeps } from "./replayable-deps.ts";
import { executeTask, type TaskExecutorDeps, type TaskOutcome } from "./task-executor.ts";

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
  tasks: Omit<TaskExecutorDeps, "keepAlive" | "log" | "logBindings">;
  /** Extends the work message's visibility while the job runs (the lease is extended here). */
  extendVisibility: () => Promise<void>;
  /**
   * How often lease and visibility are extended while the job is in the worker, from the claim to
   * its resting point (a third of the shorter of the lease and the visibility timeout).
   */
  keepAliveEveryMs: number;
  log: Logger;
}

export type { JobRunOutcome };

const LOST: JobRunOutcome = { kind: "lost", reason: "conflict" };
/** The error of a job whose data is over the claim-check read limit. */
export const PAYLOAD_TOO_LARGE = "Sluice.PayloadTooLarge";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Pure transitions run without a write at most this many in a row; then the progress is checkpointed
 * anyway (bounds the work a crash throws away and the time between two awaits in a pure loop).
 */
export const MAX_UNWRITTEN_TRANSITIONS = 1000;

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
): Promise<JobRunOutcome> {
  const now = () => deps.engine.now();
  const claim = await claimOrRetire(
    () => jobs.claim(jobId, deps.owner, deps.leaseMs, now(), deps.maxAttempts),
    jobs,
    jobId,
    now,
    deps.log,
  );
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
  let version = job.version;
  let execRef: S3Ref | null = job.executionRef ?? null;
  /** The references to stored step results this job may resolve (tenant data is never resolved). */
  const refs = JobRefs.of(job);
  /** The execution state the job document holds now (null: none yet). */
  let persisted: ExecutionState | null = null;
  /** Transitions made since the last write. */
  let unwritten = 0;
  /**
   * True while the execution is a new one's first stretch, reproducible from the job document (no
   * write since the claim, no task result fed): its tasks may be dispatched without a checkpoint.
   */
  let reproducible = false;
  /** Whether this run wrote anything yet: its first write resets `attemptsWithoutProgress`. */
  let progressed = false;
  // The lease and the message stay alive for as long as the job is here, step or no step.
  const keeper = new LeaseKeeper({
    extendLease: async () => (await jobs.extendLease(jobId, deps.owner, deps.leaseMs, now())).ok,
    extendVisibility: deps.extendVisibility,
    everyMs: deps.keepAliveEveryMs,
    log,
  });
  keeper.start();
  try {
    return await drive();
  } catch (err) {
    // A claim-check read over the limit (e.g. an `inputRef` to gigabytes) can never succeed.
    if (err instanceof ObjectTooLargeError) return await failJob(PAYLOAD_TOO_LARGE, err.message);
    await keeper.stop();
    const r = await jobs.releaseLease(jobId, deps.owner, version, now()).catch(() => undefined);
    log().warn({ err, released: r?.ok ?? false }, "job run failed; lease given back");
    throw err;
  } finally {
    await keeper.stop();
  }

  /**
   * One CAS write carrying `exec` (inline or claim-checked) unless the document holds it already,
   * and the keys of results stored since the last write; cleans up the superseded S3 object.
   */
  async function persist(
    exec: ExecutionState | undefined,
    write: (fields: JobPatch, expected: number) => Promise<CasResult>,
  ): Promise<boolean> {
    const changed = exec !== undefined && exec !== persisted;
    const fields: Pick<JobPatch, "execution" | "executionRef" | "resultRefs"> = {
      ...(changed ? await deps.data.executionPatch(tenantId, jobId, exec) : {}),
      ...refs.patch(),
    };
    const r = await write(progressed ? fields : { ...fields, attemptsWithoutProgress: 0 }, version);
    const written = fields.executionRef ?? null;
    if (!r.ok) {
      log().warn(
        { expected: version, current: r.current?.version, status: r.current?.status },
        "lost the job to another writer",
      );
      await deps.data.discard(tenantId, written, null);
      return false;
    }
    version = r.version;
    refs.written();
    progressed = true;
    unwritten = 0;
    reproducible = false;
    if (changed) {
      await deps.data.discard(tenantId, execRef, written);
      execRef = written;
      persisted = exec;
    }
    return true;
  }
  function checkpoint(exec: ExecutionState | undefined, patch: JobPatch = {}, history?: HistoryEvent[]) {
    return persist(exec, (fields, expected) =>
      jobs.casUpdate(jobId, expected, { ...patch, ...fields }, now(), history ? { history } : {}),
    );
  }
  /** Writes the progress made since the last checkpoint, if any. False: the job was lost. */
  function flush(exec: ExecutionState): Promise<boolean> {
    return exec === persisted ? Promise.resolve(true) : checkpoint(exec);
  }
  async function failJob(error: string, cause: string, exec?: ExecutionState): Promise<JobRunOutcome> {
    log().error({ error, cause }, "job failed");
    return (await checkpoint(exec, { status: "failed", error, cause }))
      ? { kind: "finished", status: "failed" }
      : LOST;
  }

  /**
   * The definition the job runs on: the one its execution names (`exec.def`) once it started, else
   * the version it was created on (`workflow.version`), from the files or `workflow_versions`.
   * Only a job created on a version nobody recorded (before versions existed, or by hand) starts
   * on the file's current one, and only on its first attempt (see the replay note above).
   */
  async function obtainMachine(
    saved: ExecutionState | null,
  ): Promise<
    { ok: true; machine: CompiledMachine; asCreated: boolean } | { ok: false; error: string; cause: string }
  > {
    const name = job.workflow.name;
    if (saved) {
      const machine = await deps.workflows.machine(saved.def);
      return machine
        ? { ok: true, machine, asCreated: true }
        : {
            ok: false,
            error: "Sluice.WorkflowVersionMissing",
            cause: `job runs version ${saved.def} of "${name}", found neither in this fleet's workflow files nor in workflow_versions`,
          };
    }
    const created = await deps.workflows.machineToStart(job.workflow.version);
    if (created) return { ok: true, machine: created, asCreated: true };
    const current = deps.workflows.catalog().get(name);
    if (!current)
      return { ok: false, error: "Sluice.UnknownWorkflow", cause: `this fleet has no workflow "${name}"` };
    if (job.attempts > 1) {
      // An earlier attempt may have run the first steps of the definition the job was created
      // with (they are dispatched before any write): do not start it over on another.
      return {
        ok: false,
        error: "Sluice.WorkflowChanged",
        cause: `job may have started on an unrecorded definition of "${name}" (${job.workflow.version}); this fleet runs ${current.version}`,
      };
    }
    await deps.workflows.record(current);
    return { ok: true, machine: current.machine, asCreated: false };
  }

  async function drive(): Promise<JobRunOutcome> {
    const saved = await deps.data.loadExecution(tenantId, job);
    const found = await obtainMachine(saved);
    if (!found.ok) return failJob(found.error, found.cause);
    const machine: CompiledMachine = found.machine;
    let exec: ExecutionState;
    let firstDeps: StepDeps = deps.engine;
    if (saved) {
      exec = saved;
      persisted = saved;
      info({ how: claim.ok ? claim.how : undefined }, "resuming job from its checkpoint");
    } else {
      const input = await deps.claimCheck.load(tenantId, job.input);
      // The claim stored `startedAt`; a replay after a crash starts from the same value.
      const startedAt = job.startedAt ?? now();
      exec = startExecution(machine, input, {
        executionId: job._id,
        executionName: job._id,
        stateMachineName: job.workflow.name,
        startTime: new Date(startedAt).toISOString(),
      });
      reproducible = job.startedAt !== null && found.asCreated;
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
      const input = await deps.data.resolve(tenantId, t.input, refs);
      const r = await executeTask(taskDeps, tenantId, jobId, input === t.input ? t : { ...t, input });
      if (!r.ok) return r;
      return {
        ok: true,
        output: await deps.data.storeResult(tenantId, refs, `${t.stateName}-${t.taskId}`, r.output),
      };
    };
    for (;;) {
      // Pure transitions first, as many as the engine can make on its own (no write in between).
      const r = step(machine, exec, reproducible ? firstDeps : deps.engine);
      if (r.state !== exec || r.effects.length > 0) {
        exec = r.state;
        unwritten++;
        for (const e of r.effects) {
          if (e.kind === "succeed") {
            const value = await deps.data.resolve(tenantId, e.output, refs);
            const output = await deps.claimCheck.store(tenantId, jobId, "output", value);
            if (!(await checkpoint(exec, { status: "complete", output }))) return LOST;
            info({}, "job complete");
            return { kind: "finished", status: "complete" };
          } else if (e.kind === "fail") {
            return failJob(e.error ?? "States.Failed", e.cause ?? "", exec);
          }
        }
        if (unwritten >= MAX_UNWRITTEN_TRANSITIONS && !(await checkpoint(exec))) return LOST;
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
          if (!reproducible && !(await flush(exec))) return LOST;
          const results = await Promise.all(
            runnable.map((t) => limit(async () => [t, await runTask(t)] as const)),
          );
          if (deps.tasks.shutdown.aborted) return release(exec, "worker shutting down");
          reproducible = false;
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
          if (!(await flush(exec))) return LOST;
          await sleep(Math.max(0, until - now()));
          continue;
        }
        return rest(exec, until);
      }
      return failJob("Sluice.EngineStalled", `execution made no progress in status ${st}`, exec);
    }
  }

  async function park(exec: ExecutionState, t: TaskEffect): Promise<JobRunOutcome> {
    const data = await deps.data.resolve(tenantId, t.input, refs);
    const name = `review-${t.stateName.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 80)}-${t.taskId}`;
    const stored = await deps.claimCheck.store(tenantId, jobId, name, data);
    const review: Review = {
      taskToken: t.taskToken ?? t.taskId,
      stateName: t.stateName,
      data: "inline" in stored ? stored.inline : null,
      ...("s3" in stored ? { dataRef: stored.s3 } : {}),
      requestedAt: now(),
      ...(t.timeoutSeconds !== undefined ? { timeoutAt: now() + t.timeoutSeconds * 1000 } : {}),
    };
    const history = [{ at: now(), type: "review_requested", state: t.stateName }];
    if (!(await checkpoint(exec, { status: "needs_review", review }, history))) return LOST;
    info({ state: t.stateName }, "job waiting for review");
    return { kind: "review", stateName: t.stateName };
  }

  async function rest(exec: ExecutionState, until: number): Promise<JobRunOutcome> {
    const ok = await persist(exec, (fields, expected) =>
      jobs.releaseLease(jobId, deps.owner, expected, now(), { ...fields, wakeAt: until }),
    );
    if (!ok) return LOST;
    info({ wakeAt: new Date(until).toISOString() }, "job resting on a Wait");
    return { kind: "resting", wakeAt: until };
  }

  async function release(exec: ExecutionState, reason: string): Promise<JobRunOutcome> {
    const ok = await persist(exec, (fields, expected) =>
      jobs.releaseLease(jobId, deps.owner, expected, now(), fields),
    );
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
