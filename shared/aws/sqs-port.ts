import type { MessageAttributeValue, SendMessageRequest } from "@aws-sdk/client-sqs";
import type { AwsErrorCode } from "./errors.ts";

/**
 * The SQS port: function-shaped members, types derived from the SDK's request shapes. Implemented by
 * the real adapter (`createSqsAdapter`) and the in-memory fake (`createFakeSqs`); one behavioural suite
 * runs against both (`test/integration/sqs-conformance.test.ts`).
 */
export type MessageAttributes = NonNullable<SendMessageRequest["MessageAttributes"]>;
export type { MessageAttributeValue };

export interface OutgoingMessage {
  readonly body: string;
  readonly attributes?: MessageAttributes;
  /** 0-900 seconds. */
  readonly delaySeconds?: number;
}

export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** Every message attribute the sender set. */
  readonly attributes: MessageAttributes;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  readonly receiveCount: number;
  /** SentTimestamp, epoch ms. */
  readonly sentAt: number;
}

export interface ReceiveOptions {
  /** 1-10, default 10. */
  readonly maxMessages?: number;
  /** Long-poll wait, 0-20 seconds; default 0. */
  readonly waitSeconds?: number;
  /** Overrides the queue's visibility timeout for these messages. */
  readonly visibilityTimeout?: number;
  readonly signal?: AbortSignal;
}

export interface BatchFailure {
  /** Index of the entry in the caller's array. */
  readonly index: number;
  readonly code: AwsErrorCode;
  readonly awsCode: string;
  readonly message: string;
  readonly senderFault: boolean;
}

export interface BatchResult<S> {
  readonly successful: readonly S[];
  readonly failed: readonly BatchFailure[];
}

export interface SentEntry {
  readonly index: number;
  readonly messageId: string;
}

export interface DeletedEntry {
  readonly index: number;
}

export interface EnsureQueueOptions {
  readonly visibilityTimeout?: number;
  /** Create `<name>-dlq` and a redrive policy moving messages there after `maxReceiveCount` receives. */
  readonly dlq?: { readonly maxReceiveCount: number };
  /**
   * Every queue (and its DLQ) is encrypted at rest: SSE-KMS with this key, else SQS-managed SSE
   * (`queueEncryption`, shared/aws/encryption.ts). Applied to existing queues too.
   */
  readonly kmsKeyId?: string | undefined;
  /**
   * Queues known to exist, name → URL (e.g. from `listQueues`, for provisioning many): a name absent
   * from it is taken as missing and created without asking SQS for its URL first.
   */
  readonly known?: ReadonlyMap<string, string>;
}

export interface QueueRef {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  /** True when this call created the queue, false when it already existed. */
  readonly created: boolean;
}

export interface EnsuredQueue extends QueueRef {
  readonly dlq?: QueueRef;
}

export interface QueueDepth {
  /** ApproximateNumberOfMessages. */
  readonly visible: number;
  /** ApproximateNumberOfMessagesNotVisible. */
  readonly inFlight: number;
  /** ApproximateNumberOfMessagesDelayed. */
  readonly delayed: number;
}

export interface SqsPort {
  send(queueUrl: string, message: OutgoingMessage): Promise<{ messageId: string }>;
  /** Any number of messages, sent in requests of ≤10 entries (and ≤256 KiB); failed entries retried once. */
  sendBatch(queueUrl: string, messages: readonly OutgoingMessage[]): Promise<BatchResult<SentEntry>>;
  receive(queueUrl: string, options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  changeVisibility(queueUrl: string, receiptHandle: string, timeoutSeconds: number): Promise<void>;
  delete(queueUrl: string, receiptHandle: string): Promise<void>;
  deleteBatch(queueUrl: string, receiptHandles: readonly string[]): Promise<BatchResult<DeletedEntry>>;
  /** Idempotent: creates what is missing, converges attributes of what exists. */
  ensureQueue(name: string, options?: EnsureQueueOptions): Promise<EnsuredQueue>;
  /** Throws `AwsAdapterError` code `NotFound` if there is no such queue. */
  getQueueUrl(name: string): Promise<string>;
  /** Every queue whose name starts with `prefix`, name → URL (all pages). */
  listQueues(prefix: string): Promise<Map<string, string>>;
  approximateDepth(queueUrl: string): Promise<QueueDepth>;
  /** Deletes the queue (not its DLQ). Idempotent. */
  deleteQueue(queueUrl: string): Promise<void>;
}

/** SQS limits the adapters share. */
export const SQS_MAX_BATCH = 10;
export const SQS_MAX_PAYLOAD_BYTES = 262_144;

/** Convenience builders for message attributes. */
export const stringAttr = (value: string): MessageAttributeValue => ({
  DataType: "String",
  StringValue: value,
});
export const numberAttr = (value: number): MessageAttributeValue => ({
  DataType: "Number",
  StringValue: String(value),
});

/** Reads a String/Number attribute's value, or undefined. */
export function attrValue(attributes: MessageAttributes, name: string): string | undefined {
  return attributes[name]?.StringValue;
}

/** Size SQS counts for a message: body plus each attribute's name, type and value. */
export function messageSize(message: OutgoingMessage): number {
  let size = Buffer.byteLength(message.body, "utf8");
  for (const [name, a] of Object.entries(message.attributes ?? {})) {
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(a.DataType ?? "", "utf8");
    if (a.StringValue !== undefined) size += Buffer.byteLength(a.StringValue, "utf8");
    if (a.BinaryValue !== undefined) size += a.BinaryValue.byteLength;
  }
  return size;
}

/** Splits messages into request-sized chunks: ≤10 entries and ≤256 KiB each; keeps original indexes. */
export function chunkForBatch<T extends OutgoingMessage>(
  messages: readonly T[],
): { index: number; message: T }[][] {
  const chunks: { index: number; message: T }[][] = [];
  let current: { index: number; message: T }[] = [];
  let bytes = 0;
  messages.forEach((message, index) => {
    const size = messageSize(message);
    if (current.length > 0 && (current.length === SQS_MAX_BATCH || bytes + size > SQS_MAX_PAYLOAD_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ index, message });
    bytes += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}
