import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { awsCall, isAwsError } from "./errors.ts";
import { batched } from "./sqs-batch.ts";
import { queueEncryption } from "./encryption.ts";
import { dlqName } from "./queue-names.ts";
import {
  SQS_MAX_BATCH,
  chunkForBatch,
  type DeletedEntry,
  type EnsureQueueOptions,
  type EnsuredQueue,
  type OutgoingMessage,
  type QueueRef,
  type ReceivedMessage,
  type SentEntry,
  type SqsPort,
} from "./sqs-port.ts";

const call = <T>(context: string, fn: () => Promise<T>) => awsCall("sqs", context, fn);

/** The SQS port over the real SDK client. */
export function createSqsAdapter(client: SQSClient): SqsPort {
  async function queueArn(url: string): Promise<string> {
    const res = await call(`get arn of ${url}`, () =>
      client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] })),
    );
    const arn = res.Attributes?.QueueArn;
    if (!arn) throw new Error(`SQS returned no QueueArn for ${url}`);
    return arn;
  }

  async function findQueue(name: string): Promise<string | undefined> {
    try {
      return await port.getQueueUrl(name);
    } catch (err) {
      if (isAwsError(err, "NotFound")) return undefined;
      throw err;
    }
  }

  async function ensureOne(
    name: string,
    attributes: Record<string, string>,
    known: ReadonlyMap<string, string> | undefined,
  ): Promise<QueueRef> {
    const existing = known === undefined ? await findQueue(name) : known.get(name);
    let url: string;
    if (existing) {
      url = existing;
      // One read; a write only when an attribute differs (a re-run changes nothing).
      const res = await call(`get attributes of ${name}`, () =>
        client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })),
      );
      const current: Record<string, string | undefined> = res.Attributes ?? {};
      if (Object.entries(attributes).some(([k, v]) => !sameAttribute(k, current[k], v))) {
        await call(`set attributes of ${name}`, () =>
          client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes })),
        );
      }
      const arn = current.QueueArn;
      if (arn) return { name, url, arn, created: false };
    } else {
      const res = await call(`create queue ${name}`, () =>
        client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })),
      );
      if (!res.QueueUrl) throw new Error(`SQS returned no QueueUrl for ${name}`);
      url = res.QueueUrl;
    }
    return { name, url, arn: await queueArn(url), created: existing === undefined };
  }

  const port: SqsPort = {
    async send(queueUrl, message) {
      const res = await call(`send to ${queueUrl}`, () =>
        client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: message.body,
            MessageAttributes: message.attributes,
            DelaySeconds: message.delaySeconds,
          }),
        ),
      );
      return { messageId: res.MessageId ?? "" };
    },

    async sendBatch(queueUrl, messages) {
      const chunks = chunkForBatch(messages).map((c) =>
        c.map(({ index, message }) => ({ index, entry: message })),
      );
      return batched<OutgoingMessage, SentEntry>(chunks, async (chunk) => {
        const res = await call(`send batch to ${queueUrl}`, () =>
          client.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map(({ index, entry }) => ({
                Id: String(index),
                MessageBody: entry.body,
                MessageAttributes: entry.attributes,
                DelaySeconds: entry.delaySeconds,
              })),
            }),
          ),
        );
        return {
          ok: (res.Successful ?? []).map((s) => ({
            Id: s.Id ?? "",
            result: { index: Number(s.Id), messageId: s.MessageId ?? "" },
          })),
          failed: res.Failed ?? [],
        };
      });
    },

    async receive(queueUrl, options = {}) {
      const res = await call(`receive from ${queueUrl}`, () =>
        client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: options.maxMessages ?? SQS_MAX_BATCH,
            WaitTimeSeconds: options.waitSeconds ?? 0,
            VisibilityTimeout: options.visibilityTimeout,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          options.signal ? { abortSignal: options.signal } : {},
        ),
      );
      return (res.Messages ?? []).map((m): ReceivedMessage => ({
        messageId: m.MessageId ?? "",
        receiptHandle: m.ReceiptHandle ?? "",
        body: m.Body ?? "",
        attributes: m.MessageAttributes ?? {},
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? "1"),
        sentAt: Number(m.Attributes?.SentTimestamp ?? "0"),
      }));
    },

    async changeVisibility(queueUrl, receiptHandle, timeoutSeconds) {
      await call(`change visibility in ${queueUrl}`, () =>
        client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: timeoutSeconds,
          }),
        ),
      );
    },

    async delete(queueUrl, receiptHandle) {
      await call(`delete from ${queueUrl}`, () =>
        client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle })),
      );
    },

    async deleteBatch(queueUrl, receiptHandles) {
      const chunks: { index: number; entry: string }[][] = [];
      receiptHandles.forEach((entry, index) => {
        if (index % SQS_MAX_BATCH === 0) chunks.push([]);
        chunks[chunks.length - 1]?.push({ index, entry });
      });
      return batched<string, DeletedEntry>(chunks, async (chunk) => {
        const res = await call(`delete batch from ${queueUrl}`, () =>
          client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map(({ index, entry }) => ({ Id: String(index), ReceiptHandle: entry })),
            }),
          ),
        );
        return {
          ok: (res.Successful ?? []).map((s) => ({ Id: s.Id ?? "", result: { index: Number(s.Id) } })),
          failed: res.Failed ?? [],
        };
      });
    },

    async ensureQueue(name, options: EnsureQueueOptions = {}): Promise<EnsuredQueue> {
      const sse = queueEncryption(options.kmsKeyId);
      const attributes: Record<string, string> = { ...sse };
      if (options.visibilityTimeout !== undefined)
        attributes.VisibilityTimeout = String(options.visibilityTimeout);
      let dlq: QueueRef | undefined;
      if (options.dlq) {
        // A DLQ keeps messages for the maximum 14 days.
        dlq = await ensureOne(dlqName(name), { ...sse, MessageRetentionPeriod: "1209600" }, options.known);
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: options.dlq.maxReceiveCount,
        });
      }
      const main = await ensureOne(name, attributes, options.known);
      return dlq ? { ...main, dlq } : main;
    },

    async listQueues(prefix) {
      const out = new Map<string, string>();
      let token: string | undefined;
      do {
        const res = await call(`list queues ${prefix}*`, () =>
          client.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, NextToken: token })),
        );
        for (const url of res.QueueUrls ?? []) out.set(url.split("/").at(-1) ?? url, url);
        token = res.NextToken;
      } while (token);
      return out;
    },

    async getQueueUrl(name) {
      const res = await call(`get url of ${name}`, () =>
        client.send(new GetQueueUrlCommand({ QueueName: name })),
      );
      if (!res.QueueUrl) throw new Error(`SQS returned no QueueUrl for ${name}`);
      return res.QueueUrl;
    },

    async approximateDepth(queueUrl) {
      const res = await call(`get depth of ${queueUrl}`, () =>
        client.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: [
              "ApproximateNumberOfMessages",
              "ApproximateNumberOfMessagesNotVisible",
              "ApproximateNumberOfMessagesDelayed",
            ],
          }),
        ),
      );
      const a = res.Attributes ?? {};
      return {
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    },

    async deleteQueue(queueUrl) {
      try {
        await call(`delete queue ${queueUrl}`, () =>
          client.send(new DeleteQueueCommand({ QueueUrl: queueUrl })),
        );
      } catch (err) {
        if (!isAwsError(err, "NotFound")) throw err;
      }
    },
  };
  return port;
}

/** Attribute values as SQS returns them vs as we set them (a redrive policy compared as JSON). */
function sameAttribute(name: string, current: string | undefined, wanted: string): boolean {
  if (current === wanted) return true;
  if (current === undefined) return false;
  if (name !== "RedrivePolicy") return false;
  try {
    const a = JSON.parse(current) as Record<string, unknown>;
    const b = JSON.parse(wanted) as Record<string, unknown>;
    return (
      a.deadLetterTargetArn === b.deadLetterTargetArn &&
      Number(a.maxReceiveCount) === Number(b.maxReceiveCount)
    );
  } catch {
    return false;
  }
}
