/**
 * The chaos run's view of its SQS queues: URLs by name, exact depths, and a non-destructive look at
 * every message a queue holds (visible, in flight and delayed) through LocalStack's developer endpoint
 * `GET /_aws/sqs/messages` (receive counts and visibility are left alone). Used for the snapshot
 * taken just before LocalStack is killed, the drain check and the final count of the DLQs.
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { StackEnv } from "../../infra/stack/config.ts";

export interface PeekedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
}

export function sqsClient(env: StackEnv): SQSClient {
  return new SQSClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
}

export async function queueUrl(sqs: SQSClient, name: string): Promise<string> {
  const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!out.QueueUrl) throw new Error(`no URL for queue ${name}`);
  return out.QueueUrl;
}

/** Visible + in flight + delayed messages of a queue. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

interface RawMessage {
  MessageId?: string;
  Body?: string;
  MessageAttribute?:
    { Name: string; Value?: { StringValue?: string } }[] | { Name: string; Value?: { StringValue?: string } };
}

const asArray = <T>(x: T | T[] | undefined | null): T[] => (x == null ? [] : Array.isArray(x) ? x : [x]);

/** Every message the queue holds, without receiving it. */
export async function peekQueue(endpoint: string, url: string): Promise<PeekedMessage[]> {
  const q = new URLSearchParams({ QueueUrl: url, ShowInvisible: "true", ShowDelayed: "true" });
  const res = await fetch(`${endpoint}/_aws/sqs/messages?${q}`, {
    headers: { Accept: "application/json" },
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok) throw new Error(`peek ${url}: HTTP ${res.status}`);
  const json = (await res.json()) as {
    ReceiveMessageResponse?: { ReceiveMessageResult?: { Message?: RawMessage | RawMessage[] } | null };
  };
  return asArray(json.ReceiveMessageResponse?.ReceiveMessageResult?.Message).map((m) => ({
    messageId: m.MessageId ?? "",
    body: m.Body ?? "",
    attributes: Object.fromEntries(
      asArray(m.MessageAttribute).map((a) => [a.Name, a.Value?.StringValue ?? ""]),
    ),
  }));
}
