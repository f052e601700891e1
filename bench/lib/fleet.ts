/**
 * An isolated Sluice namespace on the local stack for one benchmark phase: a unique queue prefix,
 * bucket and database (`b-<label>-<suffix>`), provisioned for the given tenants with
 * `provisionWithConfig`, a runtime over it, and a `cleanup()` that deletes the work and intake queues
 * (with their DLQs), the bucket and the database, then closes the runtime. Idempotent.
 *
 *   const fleet = await createIsolatedFleet({ label: "fair", stackEnv, tenants, settings });
 *   try { ... fleet.rt ... } finally { await fleet.cleanup(); }
 */
import { randomBytes } from "node:crypto";
import type { Db } from "mongodb";
import { provisionWithConfig } from "../../infra/provision.ts";
import { emptyAndDeleteBucket } from "../../test/support/bucket-admin.ts";
import { dlqName, intakeQueueName, workQueueName } from "../../shared/aws/queue-names.ts";
import { loadConfig, type SluiceConfig } from "../../shared/config/config.ts";
import { createLogger } from "../../shared/log/logger.ts";
import { createRuntime, type Runtime } from "../../shared/runtime/runtime.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export interface IsolatedFleetOptions {
  /** Short label in the namespace name (lower case letters and digits). */
  readonly label: string;
  /** AWS_ENDPOINT_URL / MONGO_URL etc. of the stack (from `ensureStack`). */
  readonly stackEnv: Readonly<Record<string, string | undefined>>;
  readonly tenants: readonly TenantId[];
  /** Extra settings, e.g. `{ SLUICE_WORKER_CONCURRENCY: "8" }`. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface IsolatedFleet {
  readonly name: string;
  readonly config: SluiceConfig;
  readonly tenants: readonly TenantId[];
  readonly rt: Runtime;
  /** The fleet's shared database (operator-level collections: tenants, usage, workers). */
  readonly db: Db;
  /** Another runtime over the same namespace (own clients, as another process would have); closed by cleanup. */
  runtime(): Promise<Runtime>;
  cleanup(): Promise<void>;
}

export function isolatedName(label: string): string {
  const suffix = Date.now().toString(36).slice(-5) + randomBytes(3).toString("hex");
  return `b-${label
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "")
    .slice(0, 10)}-${suffix}`;
}

export async function createIsolatedFleet(opts: IsolatedFleetOptions): Promise<IsolatedFleet> {
  const name = isolatedName(opts.label);
  const config = loadConfig({
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    ...process.env,
    ...opts.stackEnv,
    LOG_LEVEL: "error",
    SLUICE_QUEUE_PREFIX: name,
    SLUICE_BUCKET: name,
    SLUICE_DB: name.replaceAll("-", "_"),
    ...opts.settings,
  });
  await provisionWithConfig(config, opts.tenants);
  const log = createLogger({ level: config.log.level, pretty: "never", service: `bench-${opts.label}` });
  const rt = await createRuntime(config, log);
  const extra: Runtime[] = [];
  let cleaned: Promise<void> | undefined;
  return {
    name,
    config,
    tenants: opts.tenants,
    rt,
    db: rt.fleetDb,
    async runtime() {
      const r = await createRuntime(config, log);
      extra.push(r);
      return r;
    },
    cleanup() {
      cleaned ??= (async () => {
        const queues = [workQueueName(name), ...opts.tenants.map((t) => intakeQueueName(name, t))];
        const urls = await Promise.all(
          queues.flatMap((q) => [q, dlqName(q)]).map((q) => rt.sqs.getQueueUrl(q).catch(() => undefined)),
        );
        await Promise.allSettled(urls.flatMap((u) => (u === undefined ? [] : [rt.sqs.deleteQueue(u)])));
        await emptyAndDeleteBucket(rt.aws.s3, name).catch(() => undefined);
        await rt.fleetDb.dropDatabase().catch(() => undefined);
        await Promise.allSettled([rt, ...extra].map((r) => r.close()));
      })();
      return cleaned;
    },
  };
}
