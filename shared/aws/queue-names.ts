import type { TenantId } from "../tenancy/tenant-id.ts";

/** SQS queue names: 1-80 characters of letters, digits, `-` and `_`. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
export const DLQ_SUFFIX = "-dlq";

export class QueueNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueueNameError";
  }
}

function checked(name: string): string {
  if (!QUEUE_NAME.test(name)) throw new QueueNameError(`invalid SQS queue name ${JSON.stringify(name)}`);
  return name;
}

/** `<prefix>-intake-<tenant>`: a tenant's intake queue. */
export function intakeQueueName(prefix: string, tenant: TenantId): string {
  return checked(`${prefix}-intake-${tenant}`);
}

/** `<prefix>-work`: the shared work queue. */
export function workQueueName(prefix: string): string {
  return checked(`${prefix}-work`);
}

/** `<queue>-dlq`: the dead-letter queue of `queueName`. */
export function dlqName(queueName: string): string {
  return checked(`${queueName}${DLQ_SUFFIX}`);
}
