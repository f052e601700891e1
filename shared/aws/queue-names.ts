import { isTenantIdShape, RESERVED_TENANT_SUFFIX, type TenantId } from "../tenancy/tenant-id.ts";

/** SQS queue names: 1-80 characters of letters, digits, `-` and `_`. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** Also the suffix no tenant id may end with, so an intake queue is never another queue's DLQ. */
export const DLQ_SUFFIX = RESERVED_TENANT_SUFFIX;

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

/**
 * `<prefix>-intake-<tenant>`: a tenant's intake queue. Unambiguous because a tenant id never ends in
 * `-dlq` (re-checked here: the brand is a compile-time promise and a name is a security boundary).
 */
export function intakeQueueName(prefix: string, tenant: TenantId): string {
  if (!isTenantIdShape(tenant)) throw new QueueNameError(`invalid tenant id ${JSON.stringify(tenant)}`);
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
