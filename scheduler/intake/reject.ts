import type { ReceivedMessage, SqsPort } from "../../shared/aws/sqs-port.ts";
import { stringAttr } from "../../shared/aws/sqs-port.ts";

/**
 * Moves an intake message that can never become a job to the intake queue's dead-letter queue,
 * with the reason as a message attribute, then deletes the original. Nothing is dropped silently:
 * the DLQ copy keeps the body byte for byte, plus `reason`, `sourceQueue` and `originalMessageId`.
 */
export async function rejectToDlq(
  sqs: SqsPort,
  from: { queueUrl: string; queueName: string; dlqUrl: string },
  message: ReceivedMessage,
  reason: string,
): Promise<void> {
  await sqs.send(from.dlqUrl, {
    body: message.body,
    attributes: {
      ...message.attributes,
      reason: stringAttr(truncate(reason, 1000)),
      sourceQueue: stringAttr(from.queueName),
      originalMessageId: stringAttr(message.messageId),
    },
  });
  await sqs.delete(from.queueUrl, message.receiptHandle);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
