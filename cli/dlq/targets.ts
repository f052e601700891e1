/**
 * Which dead-letter queues a `sluice dlq` command means: `work` (the work queue's DLQ), a tenant id
 * (its intake queue's DLQ), or a queue name (the DLQ's or its source's, e.g. `sluice-intake-acme-dlq`
 * — also how a tenant literally named `work` is reached); for `dlq list`, every tenant with a
 * document plus the work queue.
 */
import { dlqName, intakeQueueName, workQueueName } from "../../shared/aws/queue-names.ts";
import type { Runtime } from "../../shared/runtime/runtime.ts";
import { TenantIdSchema, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import { UsageError } from "../context.ts";
import type { DlqTarget } from "./dead-letters.ts";
import { tenantsCollection } from "../../shared/fleet/tenants-collection.ts";

type Rt = Pick<Runtime, "config" | "queues" | "fleetDb" | "log">;

export function workTarget(rt: Rt): DlqTarget {
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

export async function tenantTarget(rt: Rt, tenant: TenantId): Promise<DlqTarget> {
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

/** `work`, a tenant id, or a queue name (source or DLQ) → the DLQ it names. */
export async function resolveTarget(rt: Rt, arg: string): Promise<DlqTarget> {
  const prefix = rt.config.queues.prefix;
  const name = arg.endsWith("-dlq") ? arg.slice(0, -"-dlq".length) : arg;
  if (arg === "work" || name === workQueueName(prefix)) return workTarget(rt);
  const intake = `${prefix}-intake-`;
  const tenant = TenantIdSchema.safeParse(name.startsWith(intake) ? name.slice(intake.length) : arg);
  if (!tenant.success) {
    throw new UsageError(`${JSON.stringify(arg)} is neither "work", a tenant id nor a Sluice queue name`);
  }
  intakeQueueName(prefix, tenant.data); // the same checks as the queue's creation
  return tenantTarget(rt, tenant.data);
}

/** Every tenant with a document in `tenants` (valid or not), sorted. */
export async function tenantIds(rt: Rt): Promise<TenantId[]> {
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
