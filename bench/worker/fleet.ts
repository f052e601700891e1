/**
 * The benchmark's own isolated namespace on the local stack: a unique queue prefix, bucket and
 * database, provisioned for one tenant, a runtime over it, and a cleanup that deletes all of it.
 */
import { randomBytes } from "node:crypto";
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { provisionWithConfig } from "../../infra/provision.ts";
import { dlqName, intakeQueueName, workQueueName } from "../../shared/aws/queue-names.ts";
import { loadConfig, type SluiceConfig } from "../../shared/config/config.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { createLogger } from "../../shared/log/logger.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { createRuntime, type Runtime } from "../../shared/runtime/runtime.ts";
import { tenantId, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { Collection } from "mongodb";

export interface BenchFleet {
  name: string;
  config: SluiceConfig;
  tenant: TenantId;
  rt: Runtime;
  /** The raw jobs collection (setup and read-back only; the worker goes through the job store). */
  jobs: Collection<JobDoc>;
  cleanup(): Promise<void>;
}

export async function createBenchFleet(
  stackEnv: Record<string, string | undefined>,
  settings: Record<string, string>,
): Promise<BenchFleet> {
  const name = `b-wk-${Date.now().toString(36).slice(-5)}${randomBytes(3).toString("hex")}`;
  const config = loadConfig({
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    ...process.env,
    ...stackEnv,
    LOG_LEVEL: "error",
    SLUICE_QUEUE_PREFIX: name,
    SLUICE_BUCKET: name,
    SLUICE_DB: name.replaceAll("-", "_"),
    ...settings,
  });
  const tenant = tenantId("bench");
  await provisionWithConfig(config, [tenant]);
  const log = createLogger({ level: config.log.level, pretty: "never", service: "bench-worker" });
  const rt = await createRuntime(config, log);
  let cleaned: Promise<void> | undefined;
  return {
    name,
    config,
    tenant,
    rt,
    jobs: rt.mongo.db().collection<JobDoc>(COLLECTIONS.jobs),
    cleanup() {
      cleaned ??= (async () => {
        const queues = [workQueueName(name), intakeQueueName(name, tenant)].flatMap((q) => [q, dlqName(q)]);
        const urls = await Promise.all(queues.map((q) => rt.sqs.getQueueUrl(q).catch(() => undefined)));
        await Promise.allSettled(urls.flatMap((u) => (u === undefined ? [] : [rt.sqs.deleteQueue(u)])));
        await deleteBucket(rt, name).catch(() => undefined);
        await rt.mongo
          .db()
          .dropDatabase()
          .catch(() => undefined);
        await rt.close();
      })();
      return cleaned;
    },
  };
}

async function deleteBucket(rt: Runtime, bucket: string): Promise<void> {
  const s3 = rt.aws.s3;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length > 0)
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
