import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { Db } from "mongodb";
import type { Logger } from "pino";
import { createAwsClients, type AwsClients } from "../aws/clients.ts";
import { dlqName, intakeQueueName, workQueueName } from "../aws/queue-names.ts";
import { createS3Store, type BlobStore } from "../aws/s3.ts";
import { createSqsAdapter } from "../aws/sqs.ts";
import type { SqsPort } from "../aws/sqs-port.ts";
import type { SluiceConfig } from "../config/config.ts";
import { COLLECTIONS } from "../mongo/collections.ts";
import { connectMongo, type MongoHandle } from "../mongo/client.ts";
import type { JobDoc } from "../jobs/job-doc.ts";
import { createJobStore, type JobStore } from "../jobs/job-store.ts";
import { retryStartup } from "./startup-retry.ts";
import { countAwsErrors, countMongoErrors } from "../metrics/instrument.ts";
import { NO_METRICS, type MetricsSink } from "../metrics/sluice-metrics.ts";
import { NO_TRACING, type Tracing } from "../tracing/tracing.ts";
import { createPayloadStore, type PayloadStore } from "../payloads/payload-store.ts";
import { tenantsCollection } from "../fleet/tenants-collection.ts";
import { tenantCollection } from "../tenancy/scoped-collection.ts";
import { MongoTenantRouter, type TenantDataRouter } from "../tenancy/tenant-router.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import { createPlacementSource, type PlacementSource } from "../tenancy/storage-placement.ts";
import { otherMoveBucket } from "../moves/move-record.ts";

export interface QueueUrls {
  work: string;
  workDlq: string;
  /** A tenant's intake queue and its DLQ (resolved once, then cached). */
  intake(tenant: TenantId): Promise<{ queueUrl: string; queueName: string; dlqUrl: string }>;
}

/**
 * Everything a Sluice process talks to, built once from the compiled config: AWS clients and ports,
 * the MongoDB client and the tenant data router, the job stores, the claim check and queue URLs.
 * Components receive it (or parts of it); only entry points create and close it.
 */
export interface Runtime {
  config: SluiceConfig;
  log: Logger;
  aws: AwsClients;
  sqs: SqsPort;
  /** Tenant-scoped objects, each in its tenant's bucket and encrypted with its key (ADR 0022). */
  blobs: BlobStore;
  /** Where each tenant's objects live (its tenant document's `storage`), cached. */
  placements: PlacementSource;
  /**
   * The fleet's MongoDB connection, for health only (ping, reconnect). No database or client is
   * reachable from it: tenant data goes through `jobsOf` / `router` (scoped stores), fleet-level
   * collections through their named modules over `fleetDb`.
   */
  mongo: Pick<MongoHandle, "ping" | "reconnect">;
  /**
   * The shared database, for the named fleet modules' constructors only (shared/fleet/*,
   * scheduler/store/*, shared/workflows/version-store.ts, the audit log...). The lint rule
   * `sluice/raw-collections` refuses `.collection(` anywhere outside its allow-list, so this is no
   * way to tenant data.
   */
  fleetDb: Db;
  /** Where each tenant's data lives (tier + storage of its tenant document); see tenant-router.ts. */
  router: TenantDataRouter;
  /** The one store of job payloads (inputs, outputs, review data, execution states, large results). */
  payloads: PayloadStore;
  queues: QueueUrls;
  /** Where components report metrics (no-op unless the process serves them, see shared/metrics/). */
  metrics: MetricsSink;
  /** Where components make their spans (`NO_TRACING` unless the process exports them, ADR 0027). */
  tracing: Tracing;
  jobsOf(tenant: TenantId): JobStore;
  /** Closes clients; idempotent. */
  close(): Promise<void>;
}

export const STATEMACHINES_DIR = resolve(import.meta.dirname, "../../statemachines");

export interface RuntimeOptions {
  /** Counts SQS, S3 and MongoDB failures and receives the components' reports; default none. */
  readonly metrics?: MetricsSink;
  /** The process's tracing (`startTracing`); default none. */
  readonly tracing?: Tracing;
}

export async function createRuntime(
  config: SluiceConfig,
  log: Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const metrics = options.metrics ?? NO_METRICS;
  const counted = <T extends object>(port: T, service: "sqs" | "s3"): T =>
    options.metrics === undefined ? port : countAwsErrors(port, service, metrics);
  const aws = createAwsClients(config.aws);
  const sqs = counted(createSqsAdapter(aws.sqs), "sqs");
  const startup = { budgetMs: config.health.exitAfterMs, log };
  let mongo: MongoHandle;
  try {
    mongo = await retryStartup("connect to MongoDB", () => connectMongo(config), startup);
  } catch (err) {
    aws.destroy();
    throw err;
  }
  const placements = createPlacementSource(tenantsCollection(mongo.db()), {
    fleetBucket: config.s3.bucket,
  });
  const blobs = counted(
    createS3Store(aws.s3, config.s3.bucket, {
      maxReadBytes: config.claimCheck.maxReadBytes,
      placement: (tenant) => placements.placementOf(tenant),
      duringMove: (tenant, missedIn) => otherMoveBucket(mongo.db(), tenant, missedIn, config.s3.bucket),
      defaultKmsKeyId: config.encryption.kmsKeyId,
      presignClient: aws.s3Presign,
    }),
    "s3",
  );
  if (options.metrics !== undefined) countMongoErrors(mongo.client, metrics);
  const router = new MongoTenantRouter({ sharedDb: mongo.db(), ttlMs: config.mongo.routeTtlMs, log });
  const prefix = config.queues.prefix;
  const work = workQueueName(prefix);
  let workUrl: string, workDlqUrl: string;
  try {
    [workUrl, workDlqUrl] = await retryStartup(
      "look up the work queue",
      () => Promise.all([sqs.getQueueUrl(work), sqs.getQueueUrl(dlqName(work))]),
      startup,
    );
  } catch (err) {
    await mongo.close().catch(() => undefined);
    await router.close();
    aws.destroy();
    throw err;
  }
  const intakeCache = new Map<string, Promise<{ queueUrl: string; queueName: string; dlqUrl: string }>>();
  const stores = new Map<string, JobStore>();
  let closed: Promise<void> | undefined;

  return {
    config,
    log,
    aws,
    sqs,
    blobs,
    placements,
    mongo: { ping: () => mongo.ping(), reconnect: () => mongo.reconnect() },
    fleetDb: mongo.db(),
    router,
    metrics,
    tracing: options.tracing ?? NO_TRACING,
    payloads: createPayloadStore(blobs, config.claimCheck.thresholdBytes, randomUUID),
    queues: {
      work: workUrl,
      workDlq: workDlqUrl,
      intake(tenant) {
        let p = intakeCache.get(tenant);
        if (!p) {
          const queueName = intakeQueueName(prefix, tenant);
          p = Promise.all([sqs.getQueueUrl(queueName), sqs.getQueueUrl(dlqName(queueName))]).then(
            ([queueUrl, dlqUrl]) => ({ queueUrl, queueName, dlqUrl }),
          );
          p.catch(() => intakeCache.delete(tenant));
          intakeCache.set(tenant, p);
        }
        return p;
      },
    },
    jobsOf(tenant) {
      let store = stores.get(tenant);
      if (!store) {
        store = createJobStore(tenantCollection<JobDoc>(router, tenant, COLLECTIONS.jobs));
        stores.set(tenant, store);
      }
      return store;
    },
    close() {
      closed ??= (async () => {
        try {
          await Promise.allSettled([router.close()]);
          await mongo.close();
        } finally {
          aws.destroy();
        }
      })();
      return closed;
    },
  };
}
