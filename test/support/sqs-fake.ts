import { randomUUID } from "node:crypto";
import { AwsAdapterError } from "../../shared/aws/errors.ts";
import { dlqName } from "../../shared/aws/queue-names.ts";
import {
  SQS_MAX_BATCH,
  SQS_MAX_PAYLOAD_BYTES,
  messageSize,
  type BatchFailure,
  type EnsuredQueue,
  type MessageAttributes,
  type QueueRef,
  type ReceivedMessage,
  type SqsPort,
} from "../../shared/aws/sqs-port.ts";

/**
 * An in-memory SQS implementing the same port: visibility timeouts measured on an injected clock,
 * receive counts, delays, DLQ redrive on receive (as SQS does), receipt handles that change per
 * receive. Long polls wait in real time (up to `waitSeconds`) and wake on a send.
 */
export interface FakeSqsOptions {
  /** Epoch ms; defaults to `Date.now`. Advance it to expire visibility timeouts and delays. */
  readonly now?: () => number;
}

interface FakeMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: MessageAttributes;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  receiptHandle: string | undefined;
}

interface FakeQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  visibilityTimeout: number;
  redrive: { dlqArn: string; maxReceiveCount: number } | undefined;
  messages: FakeMessage[];
  waiters: Set<() => void>;
}

const ACCOUNT = "000000000000";
const err = (code: AwsAdapterError["code"], awsName: string, message: string) =>
  new AwsAdapterError("sqs", code, `sqs: ${awsName}: ${message}`, { awsName });

export function createFakeSqs(options: FakeSqsOptions = {}): SqsPort {
  const now = options.now ?? Date.now;
  const byName = new Map<string, FakeQueue>();
  const byUrl = new Map<string, FakeQueue>();
  const byArn = new Map<string, FakeQueue>();
  let handleSeq = 0;

  function queue(url: string): FakeQueue {
    const q = byUrl.get(url);
    if (!q) throw err("NotFound", "QueueDoesNotExist", `no queue at ${url}`);
    return q;
  }

  function findByHandle(q: FakeQueue, handle: string): FakeMessage | undefined {
    if (!/^fake-rh:[^#]+#\d+$/.test(handle)) {
      throw err("InvalidInput", "ReceiptHandleIsInvalid", `receipt handle ${handle} is invalid`);
    }
    return q.messages.find((m) => m.receiptHandle === handle);
  }

  function enqueue(q: FakeQueue, body: string, attributes: MessageAttributes, delaySeconds: number): string {
    if (delaySeconds < 0 || delaySeconds > 900) {
      throw err("InvalidInput", "InvalidParameterValue", "DelaySeconds must be 0-900");
    }
    if (messageSize({ body, attributes }) > SQS_MAX_PAYLOAD_BYTES) {
      throw err("InvalidInput", "InvalidParameterValue", "message must be shorter than 262144 bytes");
    }
    const t = now();
    const messageId = randomUUID();
    q.messages.push({
      messageId,
      body,
      attributes: structuredClone(attributes),
      sentAt: t,
      visibleAt: t + delaySeconds * 1000,
      receiveCount: 0,
      receiptHandle: undefined,
    });
    for (const wake of q.waiters) wake();
    return messageId;
  }

  function collect(q: FakeQueue, max: number, visibility: number): ReceivedMessage[] {
    const t = now();
    const out: ReceivedMessage[] = [];
    for (const m of [...q.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > t) continue;
      const dlq = q.redrive ? byArn.get(q.redrive.dlqArn) : undefined;
      if (q.redrive && dlq && m.receiveCount >= q.redrive.maxReceiveCount) {
        q.messages.splice(q.messages.indexOf(m), 1);
        dlq.messages.push({ ...m, visibleAt: t, receiptHandle: undefined });
        continue;
      }
      m.receiveCount += 1;
      m.receiptHandle = `fake-rh:${m.messageId}#${++handleSeq}`;
      m.visibleAt = t + visibility * 1000;
      out.push({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        attributes: structuredClone(m.attributes),
        receiveCount: m.receiveCount,
        sentAt: m.sentAt,
      });
    }
    return out;
  }

  function ensureOne(name: string, visibilityTimeout: number | undefined): QueueRef {
    const existing = byName.get(name);
    if (existing) {
      if (visibilityTimeout !== undefined) existing.visibilityTimeout = visibilityTimeout;
      return { name, url: existing.url, arn: existing.arn, created: false };
    }
    const q: FakeQueue = {
      name,
      url: `https://sqs.fake.local/${ACCOUNT}/${name}`,
      arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
      visibilityTimeout: visibilityTimeout ?? 30,
      redrive: undefined,
      messages: [],
      waiters: new Set(),
    };
    byName.set(name, q);
    byUrl.set(q.url, q);
    byArn.set(q.arn, q);
    return { name, url: q.url, arn: q.arn, created: true };
  }

  return {
    async send(queueUrl, message) {
      return {
        messageId: enqueue(
          queue(queueUrl),
          message.body,
          message.attributes ?? {},
          message.delaySeconds ?? 0,
        ),
      };
    },

    async sendBatch(queueUrl, messages) {
      const q = queue(queueUrl);
      const successful: { index: number; messageId: string }[] = [];
      const failed: BatchFailure[] = [];
      messages.forEach((m, index) => {
        try {
          successful.push({ index, messageId: enqueue(q, m.body, m.attributes ?? {}, m.delaySeconds ?? 0) });
        } catch (e) {
          failed.push(batchFailure(index, e as AwsAdapterError));
        }
      });
      return { successful, failed };
    },

    async receive(queueUrl, opts = {}) {
      const q = queue(queueUrl);
      const max = Math.min(Math.max(opts.maxMessages ?? SQS_MAX_BATCH, 1), SQS_MAX_BATCH);
      const visibility = opts.visibilityTimeout ?? q.visibilityTimeout;
      const deadline = Date.now() + (opts.waitSeconds ?? 0) * 1000;
      for (;;) {
        if (opts.signal?.aborted) throw err("Aborted", "AbortError", "receive aborted");
        const got = collect(q, max, visibility);
        if (got.length > 0 || Date.now() >= deadline) return got;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            q.waiters.delete(done);
            opts.signal?.removeEventListener("abort", done);
            resolve();
          };
          // Re-check at least every 20 ms: the injected clock may have moved.
          const timer = setTimeout(done, Math.min(20, Math.max(0, deadline - Date.now())));
          q.waiters.add(done);
          opts.signal?.addEventListener("abort", done, { once: true });
        });
      }
    },

    async changeVisibility(queueUrl, receiptHandle, timeoutSeconds) {
      const q = queue(queueUrl);
      const m = findByHandle(q, receiptHandle);
      if (!m || m.visibleAt <= now()) {
        throw err("NotFound", "MessageNotInflight", `message for ${receiptHandle} is not in flight`);
      }
      m.visibleAt = now() + timeoutSeconds * 1000;
      if (timeoutSeconds === 0) for (const wake of q.waiters) wake();
    },

    async delete(queueUrl, receiptHandle) {
      const q = queue(queueUrl);
      const m = findByHandle(q, receiptHandle);
      if (m) q.messages.splice(q.messages.indexOf(m), 1);
    },

    async deleteBatch(queueUrl, receiptHandles) {
      const q = queue(queueUrl);
      const successful: { index: number }[] = [];
      const failed: BatchFailure[] = [];
      receiptHandles.forEach((handle, index) => {
        try {
          const m = findByHandle(q, handle);
          if (m) q.messages.splice(q.messages.indexOf(m), 1);
          successful.push({ index });
        } catch (e) {
          failed.push(batchFailure(index, e as AwsAdapterError));
        }
      });
      return { successful, failed };
    },

    async ensureQueue(name, opts = {}): Promise<EnsuredQueue> {
      let dlq: QueueRef | undefined;
      if (opts.dlq) dlq = ensureOne(dlqName(name), undefined);
      const main = ensureOne(name, opts.visibilityTimeout);
      if (dlq && opts.dlq) {
        const q = byName.get(name);
        if (q) q.redrive = { dlqArn: dlq.arn, maxReceiveCount: opts.dlq.maxReceiveCount };
      }
      return dlq ? { ...main, dlq } : main;
    },

    async listQueues(prefix) {
      return new Map([...byName].filter(([n]) => n.startsWith(prefix)).map(([n, q]) => [n, q.url]));
    },

    async getQueueUrl(name) {
      const q = byName.get(name);
      if (!q) throw err("NotFound", "QueueDoesNotExist", `no queue named ${name}`);
      return q.url;
    },

    async approximateDepth(queueUrl) {
      const q = queue(queueUrl);
      const t = now();
      let visible = 0;
      let inFlight = 0;
      let delayed = 0;
      for (const m of q.messages) {
        if (m.visibleAt <= t) visible++;
        else if (m.receiptHandle === undefined) delayed++;
        else inFlight++;
      }
      return { visible, inFlight, delayed };
    },

    async deleteQueue(queueUrl) {
      const q = byUrl.get(queueUrl);
      if (!q) return;
      byUrl.delete(q.url);
      byName.delete(q.name);
      byArn.delete(q.arn);
    },
  };
}

/** A failed batch entry as the real adapter reports it (the fake only fails on the sender's input). */
function batchFailure(index: number, a: AwsAdapterError): BatchFailure {
  return { index, code: a.code, awsCode: a.awsName ?? "", message: a.message, senderFault: true };
}
