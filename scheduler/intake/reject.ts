import type { BlobStore } from "../../shared/aws/s3.ts";
import type { ReceivedMessage, SqsPort } from "../../shared/aws/sqs-port.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { inlineCopy, withBodyRef } from "./dlq-copy.ts";

export interface RejectDeps {
  readonly sqs: SqsPort;
  /** Where a body too large for its dead-letter copy is stored (under the tenant's prefix). */
  readonly blobs: Pick<BlobStore, "put">;
}

export interface RejectFrom {
  readonly queueUrl: string;
  readonly queueName: string;
  readonly dlqUrl: string;
}

/** Moves one intake message to its queue's DLQ with `reason` (see `rejectToDlq`). */
export type Rejecter = (
  tenant: TenantId,
  from: RejectFrom,
  message: ReceivedMessage,
  reason: string,
) => Promise<void>;

/**
 * Moves an intake message that can never become a job to the intake queue's dead-letter queue,
 * with the reason as a message attribute, then deletes the original. Nothing is dropped silently:
 * the DLQ copy keeps the body byte for byte (or, when the copy would exceed 256 KiB, references the
 * body stored in S3 under the tenant's prefix), plus `reason`, `sourceQueue` and
 * `originalMessageId`; the message's own attributes are trimmed to SQS's limits and any left out
 * are named in `droppedAttributes` (`dlq-copy.ts`).
 */
export async function rejectToDlq(
  deps: RejectDeps,
  tenant: TenantId,
  from: RejectFrom,
  message: ReceivedMessage,
  reason: string,
): Promise<void> {
  const meta = { reason, sourceQueue: from.queueName };
  let copy = inlineCopy(message, meta);
  if (copy === undefined) {
    // tenants/<t>/intake-rejected/<messageId> (rejectedMessageKey's layout), in the tenant's bucket
    // (its own, or the fleet's): the reference says where the body really is.
    const stored = await deps.blobs.put(tenant, ["intake-rejected", message.messageId], message.body, {
      contentType: "application/octet-stream",
    });
    copy = withBodyRef(message, meta, {
      bucket: stored.bucket,
      key: stored.key,
      bytes: Buffer.byteLength(message.body, "utf8"),
    });
  }
  await deps.sqs.send(from.dlqUrl, copy);
  await deps.sqs.delete(from.queueUrl, message.receiptHandle);
}

/** `rejectToDlq` bound to its ports. */
export function createRejecter(deps: RejectDeps): Rejecter {
  return (tenant, from, message, reason) => rejectToDlq(deps, tenant, from, message, reason);
}
