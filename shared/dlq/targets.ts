/**
 * Which dead-letter queues an operator means: `work` (the work queue's DLQ), a tenant id (its intake
 * queue's DLQ), or a queue name (the DLQ's or its source's, e.g. `sluice-intake-acme-dlq` — also how
 * a tenant literally named `work` is reached); for a listing, every tenant with a document plus the
 * work queue. Used by `sluice dlq` and the operators' routes (`/v1/ops/dlq`).
 */
import { dlqName, intakeQueueName, workQueueName } from "../aws/queue-names.ts";
import { tenantsCollection } from "../fleet/tenants-collection.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { TenantIdSchema, type TenantId } from "../tenancy/tenant-id.ts";
import type { DlqTarget } from "./dead-letters.ts";

type QueuesRt = Pick<Runtime, "config" | "queues">;

export function workTarget(rt: QueuesRt): DlqTarget {
  const source = workQueueName(rt.config.queues.prefix);
  return {
    label: "work",
    kind: "work",
    dlqName: dlqName(source),
    dlqUrl: rt.queues.workDlq,
    sourceName: source,
    sourceUrl: rt.queues.work,
  };
}

export async function tenantTarget(rt: Pick<Runtime, "queues">, tenant: TenantId): Promise<DlqTarget> {
  const q = await rt.queues.intake(tenant);
  return {
    label: tenant,
    kind: "intake",
    dlqName: dlqName(q.queueName),
    dlqUrl: q.dlqUrl,
    sourceName: q.queueName,
    sourceUrl: q.queueUrl,
  };
}

/** The work queue's DLQ, then each tenant's intake DLQ in the order given. */
export async function allTargets(rt: QueuesRt, tenants: readonly TenantId[]): Promise<DlqTarget[]> {
  return [workTarget(rt), ...(await Promise.all(tenants.map((t) => tenantTarget(rt, t))))];
}

/**
 * `work`, a tenant id, or a queue name (source or DLQ) → the DLQ it names; null when `arg` is none of
 * those.
 */
export async function resolveTarget(rt: QueuesRt, arg: string): Promise<DlqTarget | null> {
  const prefix = rt.config.queues.prefix;
  const name = arg.endsWith("-dlq") ? arg.slice(0, -"-dlq".length) : arg;
  if (arg === "work" || name === workQueueName(prefix)) return workTarget(rt);
  const intake = `${prefix}-intake-`;
  const tenant = TenantIdSchema.safeParse(name.startsWith(intake) ? name.slice(intake.length) : arg);
  if (!tenant.success) return null;
  intakeQueueName(prefix, tenant.data); // the same checks as the queue's creation
  return tenantTarget(rt, tenant.data);
}

/** Every tenant with a document in `tenants` (valid or not), sorted. */
export async function tenantIds(rt: Pick<Runtime, "fleetDb">): Promise<TenantId[]> {
  // Fleet-level collection, read-only: ids only.
  const docs = await tenantsCollection(rt.fleetDb)
    .find({}, { projection: { tenantId: 1 } })
    .toArray();
  const ids = new Set<TenantId>();
  for (const d of docs) {
    const id = TenantIdSchema.safeParse(d["tenantId"] ?? d["_id"]);
    if (id.success) ids.add(id.data);
  }
  return [...ids].sort();
}
