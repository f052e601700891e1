import { setMaxListeners } from "node:events";
import type { Logger } from "pino";
import type { ReceivedMessage, SqsPort } from "../shared/aws/sqs-port.ts";
import { stringAttr } from "../shared/aws/sqs-port.ts";
import type { JobStore } from "../shared/jobs/job-store.ts";
import { POISON_ERROR } from "../shared/jobs/decide-claim.ts";
import {
  parseWorkMessage,
  sendWorkMessage,
  workMessageJobHint,
  type WorkMessage,
} from "../shared/messages/work-message.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import { traceFromAttributes, type TraceContext } from "../shared/tracing/trace-context.ts";
import { DeleteBatcher } from "./delete-batcher.ts";
import { JobsInProgress, type Admission } from "./jobs-in-progress.ts";
import { AslJobRunner, type AslRunnerConfig, type JobRunOutcome } from "./job-runner.ts";
import type { JobRunner } from "./runner/job-runner-port.ts";
import { defaultPrefetch, intakePolicy, MAX_RECEIVE } from "./receive-plan.ts";
import { WorkFeeder } from "./work-feeder.ts";

/** SQS can delay a message by at most 15 minutes; longer waits are woken by the sweeper. */
const MAX_DELAY_SECONDS = 900;

export interface WorkerDeps {
  sqs: SqsPort;
  workQueueUrl: string;
  workDlqUrl: string;
  jobsOf: (tenant: TenantId) => JobStore;
  /** The embedded ASL runner's configuration (its owner and clock are the worker's too). */
  runner: AslRunnerConfig;
  /** Runs the jobs; undefined: the embedded ASL engine (`AslJobRunner` on `runner`). */
  jobRunner?: JobRunner;
  concurrency: number;
  /**
   * Work messages held beyond the free slots so that a freed slot starts the next job without a
   * receive round trip (see `WorkFeeder`); undefined: `defaultPrefetch(concurrency)`; 0: none.
   */
  prefetch?: number;
  /**
   * Receives a message gets: on the last one (receiveCount ≥ this) a message whose handling throws is
   * poison: its job is failed with `Sluice.Poison` and the message moved to the DLQ with the reason.
   */
  maxReceiveCount: number;
  pollWaitSeconds: number;
  visibilityTimeoutSeconds: number;
  log: Logger;
  /**
   * Called right after a message is settled with its job's outcome (the fair scheduler's usage
   * accounting gives the job's running slot back when it rests). Errors are logged, never propagated.
   */
  onSettled?: (work: { tenantId: TenantId; jobId: string }, outcome: JobRunOutcome) => Promise<void>;
  /** Receive and start work only while this is true (see `WorkFeederDeps.intakeOpen`). */
  intakeOpen?: () => boolean;
  /**
   * Told every error a message's handling threw; true when it says a dependency is unreachable
   * (e.g. `MongoReachability.report`). Such a message is not poisoned: it is left to reappear after
   * its visibility timeout, and intake closes until the dependency answers.
   */
  dependencyFailed?: (err: unknown) => boolean;
  /**
   * Whether the tenant is between homes (a promotion or demotion in progress: shared/moves/). A job
   * not found then is in flight between homes, not missing: its message is retried after
   * `MOVING_RETRY_SECONDS` instead of going to the DLQ. Undefined: never.
   */
  tenantMoving?: (tenant: TenantId) => Promise<boolean>;
}

/** Delay before a message whose job was not found during its tenant's move is tried again. */
export const MOVING_RETRY_SECONDS = 5;

export type MessageOutcome =
  | JobRunOutcome
  | { kind: "rejected"; reason: string }
  | { kind: "poison"; reason: string }
  | { kind: "error"; error: string }
  /** The job is already running in this worker: the message waits for that run (see jobs-in-progress.ts). */
  | { kind: "deferred"; reason: string };

export { POISON_ERROR };

/** What handling a message came to; `deleted` settles once its delete (batched) went out, if any. */
interface Handled {
  outcome: MessageOutcome;
  deleted: Promise<void>;
}
const NOTHING_TO_DELETE = Promise.resolve();

/**
 * A stateless worker: long-polls the work queue, runs up to `concurrency` jobs at once, and deletes
 * a message only when its job reached a durable resting point (or the message can never be run, in
 * which case it goes to the work DLQ with a reason). Unexpected errors leave the message to be
 * redelivered after its visibility timeout; the queue's redrive policy bounds the retries.
 */
export class Worker {
  /** Aborted when the grace period is over: running steps are cancelled and their jobs released. */
  readonly #shutdown = new AbortController();
  readonly #runner: JobRunner;
  readonly #running = new Set<Promise<MessageOutcome>>();
  readonly #deletes: DeleteBatcher;
  readonly #feeder: WorkFeeder;
  readonly #prefetch: number;
  /** The jobs running here: one run per job at a time. */
  readonly #inProgress = new JobsInProgress();
  /** Messages waiting for their job's run here to settle (they hold no slot while they wait). */
  readonly #followers = new Set<Promise<void>>();
  #stopping = false;

  constructor(private readonly deps: WorkerDeps) {
    this.#runner = deps.jobRunner ?? new AslJobRunner(deps.runner, deps.jobsOf);
    // Every running Task step listens on the shutdown signal (and stops listening when it ends), so
    // a busy worker has one listener per step in flight: far more than Node's leak warning's 10.
    setMaxListeners(0, this.#shutdown.signal);
    this.#deletes = new DeleteBatcher({ sqs: deps.sqs, queueUrl: deps.workQueueUrl, log: deps.log });
    const prefetch = deps.prefetch ?? defaultPrefetch(deps.concurrency);
    this.#prefetch = prefetch;
    this.#feeder = new WorkFeeder({
      sqs: deps.sqs,
      queueUrl: deps.workQueueUrl,
      pollWaitSeconds: deps.pollWaitSeconds,
      visibilityTimeoutSeconds: deps.visibilityTimeoutSeconds,
      prefetch,
      policy: intakePolicy(deps.concurrency, prefetch),
      log: deps.log,
      free: () => deps.concurrency - this.#running.size,
      run: (m) => void this.#track(m),
      abort: this.#shutdown.signal,
      ...(deps.intakeOpen ? { intakeOpen: deps.intakeOpen } : {}),
    });
  }

  /** The intake, for the liveness watchdog (`liveness()`, `restart()`) and to `pump()` it when it reopens. */
  get intake(): Pick<WorkFeeder, "liveness" | "restart" | "pump"> {
    return this.#feeder;
  }

  /** Jobs running now (held, prefetched messages are not running: their slots may be free). */
  get busy(): number {
    return this.#running.size;
  }

  /** Messages this worker receives ahead of its free slots at most (its prefetch setting). */
  get prefetch(): number {
    return this.#prefetch;
  }

  /** Work messages held for the next free slots (prefetched; their jobs not claimed yet). */
  get held(): number {
    return this.#feeder.held;
  }

  /** Receives one batch (up to the free slots) and handles all of it. Public for tests. */
  async pollOnce(waitSeconds = this.deps.pollWaitSeconds): Promise<MessageOutcome[]> {
    const messages = await this.#receive(waitSeconds);
    return Promise.all(messages.map((m) => this.#track(m, true)));
  }

  #receive(waitSeconds: number): Promise<ReceivedMessage[]> {
    const free = Math.min(MAX_RECEIVE, this.deps.concurrency - this.#running.size);
    if (free <= 0) return Promise.resolve([]);
    return this.deps.sqs.receive(this.deps.workQueueUrl, {
      maxMessages: free,
      waitSeconds,
      visibilityTimeout: this.deps.visibilityTimeoutSeconds,
      // Not aborted at stop(): an aborted long poll may still have taken messages server-side,
      // hiding them for a whole visibility timeout. Only the end of the grace period aborts it.
      signal: this.#shutdown.signal,
    });
  }

  /**
   * Runs a message in a slot. The slot is free once the job is settled; its delete, batched with
   * others, goes out a few ms later (awaited here only with `awaitDelete`).
   */
  #track(message: ReceivedMessage, awaitDelete = false): Promise<MessageOutcome> {
    const p = this.#handle(message)
      .then(async (h) => {
        if (awaitDelete) await h.deleted;
        return h.outcome;
      })
      .finally(() => {
        this.#running.delete(p);
        this.#feeder.slotFreed();
      });
    this.#running.add(p);
    return p;
  }

  /** Runs the job a work message points to and settles the message (its delete included). Never throws. */
  async handle(message: ReceivedMessage): Promise<MessageOutcome> {
    const h = await this.#handle(message);
    await h.deleted;
    return h.outcome;
  }

  async #handle(message: ReceivedMessage): Promise<Handled> {
    const { sqs, workQueueUrl, log } = this.deps;
    let work: WorkMessage | undefined;
    let admission: Admission | undefined;
    try {
      const parsed = parseWorkMessage(message.body);
      if (!parsed.ok) {
        await this.#reject(message, parsed.reason);
        return { outcome: { kind: "rejected", reason: parsed.reason }, deleted: NOTHING_TO_DELETE };
      }
      work = parsed.message;
      const { tenantId, jobId } = work;
      // The job's trace context, passed on to the run and to the message re-sent for a Wait.
      const trace = traceFromAttributes(message.attributes);
      admission = this.#inProgress.enter(work);
      if (!admission.run) {
        this.#follow(message, admission.settled);
        const reason = "the job is already running in this worker; the message waits for that run";
        log.info({ tenantId, jobId, messageId: message.messageId }, reason);
        return { outcome: { kind: "deferred", reason }, deleted: NOTHING_TO_DELETE };
      }
      const outcome = await this.#runner.run(
        { tenantId, jobId, ...(trace !== undefined ? { trace } : {}) },
        {
          shutdown: this.#shutdown.signal,
          extendVisibility: () =>
            sqs.changeVisibility(workQueueUrl, message.receiptHandle, this.deps.visibilityTimeoutSeconds),
          log,
        },
      );
      const { deleted } = await this.#settle(message, { tenantId, jobId, trace }, outcome);
      await this.deps.onSettled?.(work, outcome).catch((err: unknown) => {
        log.warn({ err, tenantId, jobId }, "onSettled hook failed");
      });
      return { outcome, deleted };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (this.deps.dependencyFailed?.(err)) {
        log.warn({ err, messageId: message.messageId }, "dependency unreachable; the message will reappear");
        return { outcome: { kind: "error", error }, deleted: NOTHING_TO_DELETE };
      }
      if (message.receiveCount >= this.deps.maxReceiveCount) {
        const reason = `work message failed on ${message.receiveCount} receives; last error: ${error}`;
        await this.#poison(message, work, reason);
        return { outcome: { kind: "poison", reason }, deleted: NOTHING_TO_DELETE };
      }
      log.error(
        { err, messageId: message.messageId, receiveCount: message.receiveCount },
        "work message failed; it will be redelivered",
      );
      return { outcome: { kind: "error", error }, deleted: NOTHING_TO_DELETE };
    } finally {
      if (admission?.run) admission.leave();
    }
  }

  /**
   * A second message for a job running here: kept invisible until that run settles, then handled
   * like any message (a job that rests by then makes it a no-op that deletes it; a job the run
   * left in flight is run by it). At shutdown it is made visible again instead.
   */
  #follow(message: ReceivedMessage, settled: Promise<void>): void {
    const { sqs, workQueueUrl, visibilityTimeoutSeconds, log } = this.deps;
    const everyMs = this.deps.runner.keepAliveEveryMs;
    const keep = setInterval(() => {
      sqs
        .changeVisibility(workQueueUrl, message.receiptHandle, visibilityTimeoutSeconds)
        .catch((err: unknown) => {
          log.warn({ err, messageId: message.messageId }, "could not extend a waiting message's visibility");
        });
    }, everyMs);
    const p: Promise<void> = settled
      .then(async () => {
        clearInterval(keep);
        if (this.#stopping) {
          await sqs.changeVisibility(workQueueUrl, message.receiptHandle, 0);
          return;
        }
        await this.#track(message);
      })
      .catch((err: unknown) => {
        log.warn({ err, messageId: message.messageId }, "a waiting message could not be handed back");
      })
      .finally(() => {
        clearInterval(keep);
        this.#followers.delete(p);
      });
    this.#followers.add(p);
  }

  /** The last allowed receive failed: fail the job (unless another worker holds it) and DLQ the message. Never throws. */
  async #poison(message: ReceivedMessage, work: WorkMessage | undefined, reason: string): Promise<void> {
    const log = this.deps.log.child(work ? { tenantId: work.tenantId, jobId: work.jobId } : {});
    if (work) {
      try {
        const now = this.deps.runner.engine.now();
        const r = await this.deps
          .jobsOf(work.tenantId)
          .poisonMessage(work.jobId, this.deps.runner.owner, now, { messageId: message.messageId, reason });
        // The job is terminal now: its running slot goes back at once, not at the next reconcile.
        if (r.ok) {
          await this.deps.onSettled?.(work, { kind: "finished", status: "failed" }).catch((err: unknown) => {
            log.warn({ err }, "onSettled hook failed");
          });
        }
      } catch (err) {
        log.error({ err }, "could not mark the poisoned job failed");
      }
    }
    try {
      await this.#toDlq(message, reason);
    } catch (err) {
      // The queue's redrive policy moves it on the next receive.
      log.error({ err, messageId: message.messageId }, "could not move a poison message to the DLQ");
    }
  }

  /** A body that is not a work message: DLQ with the reason; a job it names records the rejection. */
  async #reject(message: ReceivedMessage, reason: string): Promise<void> {
    const hint = workMessageJobHint(message.body);
    if (hint) {
      const now = this.deps.runner.engine.now();
      const event = {
        at: now,
        type: "work_message_rejected",
        detail: { messageId: message.messageId, reason: reason.slice(0, 2000) },
      };
      await this.deps
        .jobsOf(hint.tenantId)
        .appendHistory(hint.jobId, [event])
        .catch((err: unknown) => {
          this.deps.log.warn({ err, ...hint }, "could not record the rejection on the job");
        });
    }
    await this.#toDlq(message, reason);
  }

  /**
   * Settles the message of a job run; resolves when what must precede the delete is done, to the
   * pending (batched) delete.
   */
  async #settle(
    message: ReceivedMessage,
    work: { tenantId: TenantId; jobId: string; trace: TraceContext | undefined },
    outcome: JobRunOutcome,
  ): Promise<{ deleted: Promise<void> }> {
    const { sqs, workQueueUrl } = this.deps;
    const remove = () => ({ deleted: this.#deletes.delete(message.receiptHandle) });
    const none = { deleted: NOTHING_TO_DELETE };
    switch (outcome.kind) {
      case "resting": {
        const delay = Math.ceil((outcome.wakeAt - this.deps.runner.engine.now()) / 1000);
        if (delay <= MAX_DELAY_SECONDS) {
          await sendWorkMessage(
            sqs,
            workQueueUrl,
            { tenantId: work.tenantId, jobId: work.jobId },
            { delaySeconds: Math.max(0, delay), trace: work.trace },
          );
        }
        return remove();
      }
      case "released":
        // Shutdown: make the message visible again at once for another worker.
        await sqs.changeVisibility(workQueueUrl, message.receiptHandle, 0);
        return none;
      case "skipped":
        if (outcome.reason === "contended") return none; // redelivered after the visibility timeout
        if (outcome.reason === "not_found") {
          if (await this.#moving(work.tenantId)) {
            await sqs.changeVisibility(workQueueUrl, message.receiptHandle, MOVING_RETRY_SECONDS);
            return none;
          }
          await this.#toDlq(message, `no job ${work.jobId} for tenant ${work.tenantId}`);
          return none;
        }
        return remove();
      case "finished":
      case "review":
      case "lost":
        return remove();
    }
  }

  async #moving(tenant: TenantId): Promise<boolean> {
    try {
      return (await this.deps.tenantMoving?.(tenant)) ?? false;
    } catch (err) {
      this.deps.log.warn({ err, tenantId: tenant }, "could not read whether the tenant is moving");
      return false;
    }
  }

  async #toDlq(message: ReceivedMessage, reason: string): Promise<void> {
    this.deps.log.warn({ messageId: message.messageId, reason }, "work message rejected to the DLQ");
    await this.deps.sqs.send(this.deps.workDlqUrl, {
      body: message.body,
      attributes: {
        reason: stringAttr(reason.slice(0, 1000)),
        originalMessageId: stringAttr(message.messageId),
        receiveCount: stringAttr(String(message.receiveCount)),
      },
    });
    await this.deps.sqs.delete(this.deps.workQueueUrl, message.receiptHandle);
  }

  /** Starts receiving into the free slots (see `WorkFeeder`). */
  start(): void {
    this.#feeder.start();
  }

  /**
   * Graceful stop: no more polling (a long poll in flight is allowed to return, up to
   * `pollWaitSeconds`, and what it brought is made visible again, as are held prefetched messages);
   * running jobs get `graceMs` to reach a resting point, then their
   * steps are aborted and the jobs released (checkpoint kept, lease cleared, message made visible).
   * Idempotent.
   */
  async stop(graceMs = 10_000): Promise<void> {
    const abortTasks = setTimeout(() => this.#shutdown.abort(new Error("grace period over")), graceMs);
    this.#stopping = true;
    try {
      await this.#feeder.stop();
      // A follower woken by a run that settles now hands its message back instead of running it.
      while (this.#running.size + this.#followers.size > 0) {
        await Promise.allSettled([...this.#running, ...this.#followers]);
      }
      await this.#deletes.drain();
    } finally {
      clearTimeout(abortTasks);
    }
  }
}
