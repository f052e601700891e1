import pLimit from "p-limit";
import type { Logger } from "pino";
import type { ReceivedMessage, SqsPort } from "../shared/aws/sqs-port.ts";
import { stringAttr } from "../shared/aws/sqs-port.ts";
import type { JobStore } from "../shared/jobs/job-store.ts";
import { parseWorkMessage } from "../shared/messages/work-message.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import { runJob, type JobRunOutcome, type JobRunnerDeps } from "./job-runner.ts";

/** SQS can delay a message by at most 15 minutes; longer waits are woken by the sweeper. */
const MAX_DELAY_SECONDS = 900;

export interface WorkerDeps {
  sqs: SqsPort;
  workQueueUrl: string;
  workDlqUrl: string;
  jobsOf: (tenant: TenantId) => JobStore;
  runner: Omit<JobRunnerDeps, "extendVisibility" | "tasks" | "log"> & {
    tasks: Omit<JobRunnerDeps["tasks"], "shutdown">;
  };
  concurrency: number;
  pollWaitSeconds: number;
  visibilityTimeoutSeconds: number;
  log: Logger;
}

export type MessageOutcome = JobRunOutcome | { kind: "rejected"; reason: string } | { kind: "error"; error: string };

/**
 * A stateless worker: long-polls the work queue, runs up to `concurrency` jobs at once, and deletes
 * a message only when its job reached a durable resting point (or the message can never be run, in
 * which case it goes to the work DLQ with a reason). Unexpected errors leave the message to be
 * redelivered after its visibility timeout; the queue's redrive policy bounds the retries.
 */
export class Worker {
  /** Aborted at stop(): no more polling. */
  readonly #polling = new AbortController();
  /** Aborted when the grace period is over: running steps are cancelled and their jobs released. */
  readonly #shutdown = new AbortController();
  readonly #running = new Set<Promise<MessageOutcome>>();
  #loop: Promise<void> | undefined;

  constructor(private readonly deps: WorkerDeps) {}

  /** Jobs running now. */
  get busy(): number {
    return this.#running.size;
  }

  /** Receives one batch (up to the free slots) and handles all of it. Public for tests. */
  async pollOnce(waitSeconds = this.deps.pollWaitSeconds): Promise<MessageOutcome[]> {
    const messages = await this.#receive(waitSeconds);
    return Promise.all(messages.map((m) => this.#track(m)));
  }

  #receive(waitSeconds: number): Promise<ReceivedMessage[]> {
    const free = Math.min(10, this.deps.concurrency - this.#running.size);
    if (free <= 0) return Promise.resolve([]);
    return this.deps.sqs.receive(this.deps.workQueueUrl, {
      maxMessages: free,
      waitSeconds,
      visibilityTimeout: this.deps.visibilityTimeoutSeconds,
      signal: this.#polling.signal,
    });
  }

  #track(message: ReceivedMessage): Promise<MessageOutcome> {
    const p = this.handle(message).finally(() => this.#running.delete(p));
    this.#running.add(p);
    return p;
  }

  /** Runs the job a work message points to and settles the message. Never throws. */
  async handle(message: ReceivedMessage): Promise<MessageOutcome> {
    const { sqs, workQueueUrl, log } = this.deps;
    try {
      const parsed = parseWorkMessage(message.body);
      if (!parsed.ok) {
        await this.#toDlq(message, parsed.reason);
        return { kind: "rejected", reason: parsed.reason };
      }
      const { tenantId, jobId } = parsed.message;
      const outcome = await runJob(
        {
          ...this.deps.runner,
          tasks: { ...this.deps.runner.tasks, shutdown: this.#shutdown.signal },
          extendVisibility: () =>
            sqs.changeVisibility(workQueueUrl, message.receiptHandle, this.deps.visibilityTimeoutSeconds),
          log,
        },
        this.deps.jobsOf(tenantId),
        tenantId,
        jobId,
      );
      await this.#settle(message, parsed.message, outcome);
      return outcome;
    } catch (err) {
      log.error({ err, messageId: message.messageId }, "work message failed; it will be redelivered");
      return { kind: "error", error: err instanceof Error ? err.message : String(err) };
    }
  }

  async #settle(message: ReceivedMessage, work: { tenantId: TenantId; jobId: string }, outcome: JobRunOutcome) {
    const { sqs, workQueueUrl } = this.deps;
    switch (outcome.kind) {
      case "resting": {
        const delay = Math.ceil((outcome.wakeAt - this.deps.runner.engine.now()) / 1000);
        if (delay <= MAX_DELAY_SECONDS) {
          await sqs.send(workQueueUrl, { body: JSON.stringify(work), delaySeconds: Math.max(0, delay) });
        }
        await sqs.delete(workQueueUrl, message.receiptHandle);
        return;
      }
      case "released":
        // Shutdown: make the message visible again at once for another worker.
        await sqs.changeVisibility(workQueueUrl, message.receiptHandle, 0);
        return;
      case "skipped":
        if (outcome.reason === "contended") return; // redelivered after the visibility timeout
        if (outcome.reason === "not_found") {
          await this.#toDlq(message, `no job ${work.jobId} for tenant ${work.tenantId}`);
          return;
        }
        await sqs.delete(workQueueUrl, message.receiptHandle);
        return;
      case "finished":
      case "lost":
        await sqs.delete(workQueueUrl, message.receiptHandle);
        return;
    }
  }

  async #toDlq(message: ReceivedMessage, reason: string): Promise<void> {
    this.deps.log.warn({ messageId: message.messageId, reason }, "work message rejected to the DLQ");
    await this.deps.sqs.send(this.deps.workDlqUrl, {
      body: message.body,
      attributes: { reason: stringAttr(reason.slice(0, 1000)), originalMessageId: stringAttr(message.messageId) },
    });
    await this.deps.sqs.delete(this.deps.workQueueUrl, message.receiptHandle);
  }

  start(): void {
    if (this.#loop) return;
    this.#loop = (async () => {
      while (!this.#polling.signal.aborted) {
        if (this.#running.size >= this.deps.concurrency) {
          await Promise.race(this.#running);
          continue;
        }
        try {
          for (const m of await this.#receive(this.deps.pollWaitSeconds)) void this.#track(m);
        } catch (err) {
          if (this.#polling.signal.aborted) break;
          this.deps.log.error({ err }, "poll failed; retrying in 1 s");
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    })();
  }

  /**
   * Graceful stop: no more polling; running jobs get `graceMs` to reach a resting point, then their
   * steps are aborted and the jobs released (checkpoint kept, lease cleared, message made visible).
   * Idempotent.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.#polling.abort(new Error("worker stopping"));
    const abortTasks = setTimeout(() => this.#shutdown.abort(new Error("grace period over")), graceMs);
    try {
      await this.#loop;
      await Promise.allSettled([...this.#running]);
    } finally {
      clearTimeout(abortTasks);
    }
  }
}
