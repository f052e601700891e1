/**
 * Sends the planned messages to the tenants' intake queues, one at a time, retrying a failed send
 * (LocalStack down) until it is acknowledged. Flow control keeps at most `maxOutstanding` valid jobs
 * sent but not yet turned into job documents, so a LocalStack restart loses a bounded number of
 * messages. `pause()` waits for the send in progress and holds the rest (the snapshot before
 * LocalStack is killed must see every acknowledged message).
 */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SentJob } from "./verdict.ts";
import type { PlannedMessage } from "./workload.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ProducerOptions {
  readonly maxOutstanding: number;
  /** Job documents created so far (from the sampler). */
  readonly created: () => number;
  readonly urlOf: (tenant: string) => string;
}

export class Producer {
  readonly jobs: SentJob[] = [];
  readonly garbage: string[] = [];
  duplicates = 0;
  sendErrors = 0;
  /** Valid jobs known to be gone with LocalStack: no longer outstanding for flow control. */
  forgiven = 0;
  #next = 0;
  #paused: Promise<void> | undefined;
  #resume: (() => void) | undefined;
  #busy: Promise<void> = Promise.resolve();
  #stopped = false;
  #validSeen = new Set<string>();
  doneAt: number | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly plan: readonly PlannedMessage[],
    private readonly o: ProducerOptions,
  ) {}

  get sent(): number {
    return this.#next;
  }

  get done(): boolean {
    return this.doneAt !== undefined;
  }

  async pause(): Promise<void> {
    this.#paused ??= new Promise<void>((r) => (this.#resume = r));
    await this.#busy;
  }

  resume(): void {
    const r = this.#resume;
    this.#paused = undefined;
    this.#resume = undefined;
    r?.();
  }

  stop(): void {
    this.#stopped = true;
    this.resume();
  }

  async run(): Promise<void> {
    while (this.#next < this.plan.length && !this.#stopped) {
      if (this.#paused) await this.#paused;
      if (this.jobs.length - this.o.created() - this.forgiven >= this.o.maxOutstanding) {
        await sleep(100);
        continue;
      }
      const m = this.plan[this.#next]!;
      let ok = false;
      this.#busy = (async () => {
        try {
          await this.sqs.send(
            new SendMessageCommand({ QueueUrl: this.o.urlOf(m.tenant), MessageBody: m.body }),
          );
          ok = true;
        } catch {
          this.sendErrors++;
        }
      })();
      await this.#busy;
      if (!ok) {
        await sleep(500);
        continue;
      }
      this.#next++;
      if (m.kind === "garbage") this.garbage.push(m.key);
      else if (m.kind === "duplicate") this.duplicates++;
      if (m.kind !== "garbage" && !this.#validSeen.has(m.key)) {
        this.#validSeen.add(m.key);
        this.jobs.push({ tenant: m.tenant, key: m.key });
      }
    }
    this.doneAt = Date.now();
  }
}
