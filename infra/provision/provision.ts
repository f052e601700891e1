import type { Db } from "mongodb";
import pLimit from "p-limit";
import type { BlobStore } from "../../shared/aws/s3.ts";
import { intakeQueueName, workQueueName } from "../../shared/aws/queue-names.ts";
import type { EnsuredQueue, SqsPort } from "../../shared/aws/sqs-port.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { isDuplicateKeyError } from "../../shared/mongo/errors.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { defaultTenantQuota } from "./default-quota.ts";

export interface ProvisionDeps {
  readonly sqs: SqsPort;
  readonly blobs: Pick<BlobStore, "bucket" | "ensureBucket">;
  readonly db: Db;
  readonly queues: {
    readonly prefix: string;
    readonly maxReceiveCount: number;
    readonly visibilityTimeoutSeconds: number;
    /** The fleet KMS key of the queues' SSE (`SLUICE_KMS_KEY_ID`); unset: SQS-managed SSE. */
    readonly kmsKeyId?: string | undefined;
  };
  /** Defaults to `() => new Date()`. */
  readonly now?: () => Date;
}

export interface ProvisionReport {
  /** What this run created, e.g. `queue sluice-intake-acme`, `index jobs.status_wake`, `quota acme`. */
  readonly created: string[];
  /** What already existed. */
  readonly found: string[];
  readonly bucket: string;
  readonly workQueue: EnsuredQueue;
  readonly intakeQueues: Readonly<Record<string, EnsuredQueue>>;
}

export interface ProvisionOptions {
  /** Tenants provisioned at once (each: its intake queue and DLQ, then its quota); default 32. */
  readonly concurrency?: number;
  /** Called after each tenant is done (and once with 0 before the first). */
  readonly onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_PROVISION_CONCURRENCY = 32;

/**
 * Idempotently creates everything Sluice needs for `tenants`: the bucket (with its default
 * encryption), MongoDB indexes, the shared work queue and its DLQ, each tenant's intake queue with its
 * DLQ and redrive policy (every queue with SSE), and a default quota document for tenants without one
 * (existing quotas are never touched). Tenants are provisioned `concurrency` at a time; the report
 * lists what was created and found in the order of `tenants`.
 */
export async function provision(
  deps: ProvisionDeps,
  tenants: readonly TenantId[],
  options: ProvisionOptions = {},
): Promise<ProvisionReport> {
  const created: string[] = [];
  const found: string[] = [];
  const note = (isNew: boolean, what: string) => (isNew ? created : found).push(what);
  const now = deps.now ?? (() => new Date());

  note((await deps.blobs.ensureBucket()).created, `bucket ${deps.blobs.bucket}`);

  const indexes = await ensureIndexes(deps.db);
  indexes.created.forEach((i) => created.push(`index ${i}`));
  indexes.found.forEach((i) => found.push(`index ${i}`));

  const queueOptions = {
    visibilityTimeout: deps.queues.visibilityTimeoutSeconds,
    dlq: { maxReceiveCount: deps.queues.maxReceiveCount },
    kmsKeyId: deps.queues.kmsKeyId,
  };
  const noteQueue = (q: EnsuredQueue) => {
    if (q.dlq) note(q.dlq.created, `queue ${q.dlq.name}`);
    note(q.created, `queue ${q.name}`);
  };

  const workQueue = await deps.sqs.ensureQueue(workQueueName(deps.queues.prefix), queueOptions);
  noteQueue(workQueue);

  const quotas = deps.db.collection(COLLECTIONS.tenants);
  const unique = [...new Set(tenants)];
  // One listing instead of a URL lookup per queue (what is absent from it is created).
  const known = unique.length > 0 ? await deps.sqs.listQueues(`${deps.queues.prefix}-intake-`) : undefined;
  const tenantQueueOptions = { ...queueOptions, ...(known !== undefined ? { known } : {}) };
  const limit = pLimit(Math.max(1, Math.floor(options.concurrency ?? DEFAULT_PROVISION_CONCURRENCY)));
  let done = 0;
  options.onProgress?.(0, unique.length);
  const perTenant = await Promise.all(
    unique.map((tenant) =>
      limit(async () => {
        const queue = await deps.sqs.ensureQueue(
          intakeQueueName(deps.queues.prefix, tenant),
          tenantQueueOptions,
        );
        let inserted = false;
        try {
          const res = await quotas.updateOne(
            { tenantId: tenant },
            { $setOnInsert: defaultTenantQuota(tenant, now()) },
            { upsert: true },
          );
          inserted = res.upsertedCount === 1;
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err; // a concurrent provisioner inserted it first
        }
        options.onProgress?.((done += 1), unique.length);
        return { tenant, queue, inserted };
      }),
    ),
  );

  const intakeQueues: Record<string, EnsuredQueue> = {};
  for (const { tenant, queue, inserted } of perTenant) {
    noteQueue(queue);
    intakeQueues[tenant] = queue;
    note(inserted, `quota ${tenant}`);
  }
  return { created, found, bucket: deps.blobs.bucket, workQueue, intakeQueues };
}
