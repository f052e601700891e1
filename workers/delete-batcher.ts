/**
 * Batched message deletes for the worker: a settled message's receipt handle waits at most
 * `lingerMs` (or until `maxBatch` handles are collected) and goes out in one `DeleteMessageBatch`.
 *
 * Deferring a delete never changes correctness: it is issued only once the job reached a durable
 * resting point, and if the worker dies before it goes out the message is simply redelivered, which
 * is a no-op for a job that has moved on (the claim refuses it and the message is deleted then).
 * A handle that fails to delete is logged and left to that same redelivery.
 */
import type { Logger } from "pino";
import type { SqsPort } from "../shared/aws/sqs-port.ts";

const SQS_MAX_BATCH = 10;

export interface DeleteBatcherOptions {
  sqs: Pick<SqsPort, "deleteBatch">;
  queueUrl: string;
  log: Logger;
  /** How long the first handle of a batch waits for others, ms. */
  lingerMs?: number;
  /** At most 10 (the SQS limit). */
  maxBatch?: number;
}

interface Pending {
  handle: string;
  done: () => void;
}

export class DeleteBatcher {
  readonly #opts: Required<DeleteBatcherOptions>;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(opts: DeleteBatcherOptions) {
    this.#opts = {
      lingerMs: 20,
      ...opts,
      maxBatch: Math.max(1, Math.min(SQS_MAX_BATCH, opts.maxBatch ?? SQS_MAX_BATCH)),
    };
  }

  /**
   * Queues `receiptHandle` for deletion. The promise resolves once the batch holding it was sent
   * (deleted, or the failure logged); it never rejects.
   */
  delete(receiptHandle: string): Promise<void> {
    return new Promise<void>((done) => {
      this.#pending.push({ handle: receiptHandle, done });
      if (this.#pending.length >= this.#opts.maxBatch) this.flush();
      else this.#timer ??= setTimeout(() => this.flush(), this.#opts.lingerMs);
    });
  }

  /** Sends what is queued now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#opts.maxBatch);
      const p = this.#send(batch).finally(() => this.#inFlight.delete(p));
      this.#inFlight.add(p);
    }
  }

  /** Sends what is queued and waits for every batch in flight (shutdown). */
  async drain(): Promise<void> {
    this.flush();
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  async #send(batch: readonly Pending[]): Promise<void> {
    const { sqs, queueUrl, log } = this.#opts;
    try {
      const r = await sqs.deleteBatch(
        queueUrl,
        batch.map((p) => p.handle),
      );
      if (r.failed.length > 0) {
        log.warn(
          { failed: r.failed.map((f) => ({ code: f.awsCode, message: f.message })) },
          "some work messages could not be deleted; they will be redelivered (a no-op)",
        );
      }
    } catch (err) {
      log.warn({ err, messages: batch.length }, "deleting work messages failed; they will be redelivered");
    } finally {
      for (const p of batch) p.done();
    }
  }
}
