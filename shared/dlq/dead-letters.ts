/**
 * Dead-letter queues for operators (`sluice dlq` and the console's dead-letters page): depth per DLQ,
 * the messages with the `reason` Sluice attached, and redrive back to the source queue after a fix.
 * Works on the SQS port only (tested against LocalStack).
 *
 * - Showing never consumes: messages are received with a short visibility timeout (so one pass sees
 *   each message once) and made visible again at once (`changeVisibility` 0).
 * - Redrive is receive → send to the source queue → delete from the DLQ, in that order: at least
 *   once (a crash between send and delete leaves a copy in both; intake and work messages are
 *   idempotent by idempotency key and job id). Sluice's own attributes (`reason`, `sourceQueue`,
 *   `originalMessageId`, `receiveCount`, `droppedAttributes`) are removed so the message goes back as
 *   it first arrived. A message whose body was too large for SQS (`bodyRef`, body kept in S3) cannot
 *   go back on a queue and is skipped. Why not SQS `StartMessageMoveTask`: docs/adr/0025-operator-cli.md.
 */
import type { MessageAttributes, ReceivedMessage, SqsPort } from "../aws/sqs-port.ts";
import { attrValue } from "../aws/sqs-port.ts";

/** One dead-letter queue and the queue its messages came from. */
export interface DlqTarget {
  /** `work`, or the tenant id of an intake queue. */
  readonly label: string;
  readonly kind: "work" | "intake";
  readonly dlqName: string;
  readonly dlqUrl: string;
  readonly sourceName: string;
  readonly sourceUrl: string;
}

/** The attributes Sluice adds to a dead-letter copy (scheduler/intake/dlq-copy.ts, workers/worker.ts). */
export const DLQ_ATTRIBUTES = [
  "reason",
  "sourceQueue",
  "originalMessageId",
  "receiveCount",
  "droppedAttributes",
  "bodyRef",
];

const NO_REASON = "(no reason attribute: moved by SQS after maxReceiveCount receives)";

export interface DeadLetter {
  readonly messageId: string;
  readonly sentAt: string;
  readonly receiveCount: number;
  readonly reason: string;
  readonly originalMessageId: string | null;
  /** Set when the body was stored in S3 (too large for SQS): not redrivable. */
  readonly bodyRef: string | null;
  readonly body: string;
}

export function deadLetter(m: ReceivedMessage): DeadLetter {
  return {
    messageId: m.messageId,
    sentAt: new Date(m.sentAt).toISOString(),
    receiveCount: m.receiveCount,
    reason: attrValue(m.attributes, "reason") ?? NO_REASON,
    originalMessageId: attrValue(m.attributes, "originalMessageId") ?? null,
    bodyRef: attrValue(m.attributes, "bodyRef") ?? null,
    body: m.body,
  };
}

/** The message's own attributes, without those Sluice added when dead-lettering it. */
export function originalAttributes(attributes: MessageAttributes): MessageAttributes {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !DLQ_ATTRIBUTES.includes(name)));
}

/** How many messages a receive hides while a pass looks at them (then they are made visible again). */
const PEEK_VISIBILITY_S = 30;

/**
 * Up to `limit` messages of the queue, each once, left in the queue (visible again when this returns).
 * Stops early when a receive brings nothing new.
 */
export async function peek(sqs: SqsPort, queueUrl: string, limit: number): Promise<ReceivedMessage[]> {
  const seen = new Map<string, ReceivedMessage>();
  try {
    while (seen.size < limit) {
      const batch = await sqs.receive(queueUrl, {
        maxMessages: Math.min(10, limit - seen.size),
        visibilityTimeout: PEEK_VISIBILITY_S,
        waitSeconds: 1, // a long poll asks every SQS server: an empty answer means empty
      });
      const fresh = batch.filter((m) => !seen.has(m.messageId));
      // A message seen twice in one pass (a second delivery) is made visible again with the rest.
      for (const m of batch) if (seen.has(m.messageId)) await restore(sqs, queueUrl, [m]);
      if (fresh.length === 0) break;
      for (const m of fresh) seen.set(m.messageId, m);
    }
  } finally {
    await restore(sqs, queueUrl, [...seen.values()]);
  }
  return [...seen.values()];
}

async function restore(sqs: SqsPort, queueUrl: string, messages: readonly ReceivedMessage[]): Promise<void> {
  for (const m of messages) {
    // A message deleted meanwhile (another operator redrove it) has nothing to restore.
    await sqs.changeVisibility(queueUrl, m.receiptHandle, 0).catch(() => undefined);
  }
}

export interface RedriveReport {
  readonly queue: string;
  readonly to: string;
  readonly moved: number;
  /** Messages whose body lives in S3 (`bodyRef`): left in the DLQ. */
  readonly skipped: readonly { messageId: string; why: string }[];
  /** `--id` given and no such message found in the DLQ. */
  readonly notFound?: string;
}

export interface RedriveOptions {
  /** Only this message (by its DLQ message id); otherwise every message. */
  readonly messageId?: string;
  /** Called after each message moved (progress). */
  readonly onMoved?: (moved: number) => void;
}

/** Moves messages of `target`'s DLQ back to its source queue (see the module doc). */
export async function redrive(
  sqs: SqsPort,
  target: DlqTarget,
  opts: RedriveOptions = {},
): Promise<RedriveReport> {
  let moved = 0;
  const skipped: { messageId: string; why: string }[] = [];
  const kept: ReceivedMessage[] = [];
  const handled = new Set<string>();
  let found = opts.messageId === undefined;
  try {
    for (;;) {
      const batch = await sqs.receive(target.dlqUrl, {
        maxMessages: 10,
        visibilityTimeout: PEEK_VISIBILITY_S,
        waitSeconds: 1,
      });
      const fresh = batch.filter((m) => !handled.has(m.messageId));
      if (fresh.length === 0) break;
      for (const m of fresh) {
        handled.add(m.messageId);
        if (opts.messageId !== undefined && m.messageId !== opts.messageId) {
          kept.push(m);
          continue;
        }
        found = true;
        const ref = attrValue(m.attributes, "bodyRef");
        if (ref !== undefined) {
          skipped.push({ messageId: m.messageId, why: `body stored in S3 (${ref}), too large for SQS` });
          kept.push(m);
          continue;
        }
        await sqs.send(target.sourceUrl, { body: m.body, attributes: originalAttributes(m.attributes) });
        await sqs.delete(target.dlqUrl, m.receiptHandle);
        moved += 1;
        opts.onMoved?.(moved);
      }
      if (opts.messageId !== undefined && found) break;
    }
  } finally {
    await restore(sqs, target.dlqUrl, kept);
  }
  return {
    queue: target.dlqName,
    to: target.sourceName,
    moved,
    skipped,
    ...(found ? {} : { notFound: opts.messageId }),
  };
}
