import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { createAwsClients } from "../shared/aws/clients.ts";
import { createS3Store } from "../shared/aws/s3.ts";
import { createSqsAdapter } from "../shared/aws/sqs.ts";
import { loadConfigOrExit } from "../shared/config/exit.ts";
import { connectMongo } from "../shared/mongo/client.ts";
import { PROVISION_USAGE, ProvisionArgsError, parseProvisionArgs } from "./provision/args.ts";
import { provision, type ProvisionOptions, type ProvisionReport } from "./provision/provision.ts";
import { createProgress } from "./provision/progress.ts";
import type { SluiceConfig } from "../shared/config/config.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import { formatProvisionReport } from "./provision/report.ts";

export {
  provision,
  type ProvisionDeps,
  type ProvisionOptions,
  type ProvisionReport,
} from "./provision/provision.ts";
export { defaultTenantQuota } from "./provision/default-quota.ts";
export { formatProvisionReport } from "./provision/report.ts";

/**
 * `node --import tsx infra/provision.ts --tenants acme,globex` (or `--file tenants.json`), also reached
 * as `sluice provision ...`.
 * Exit codes: 0 done, 1 a provisioning step failed, 2 bad arguments or configuration.
 */
export async function provisionCommand(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = await parseProvisionArgs(argv);
  } catch (err) {
    if (!(err instanceof ProvisionArgsError)) throw err;
    process.stderr.write(`provision: ${err.message}\n${PROVISION_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${PROVISION_USAGE}\n`);
    return 0;
  }
  const config = loadConfigOrExit();
  const progress =
    args.tenants.length > 0
      ? createProgress(
          { isTTY: process.stderr.isTTY === true, write: (t) => void process.stderr.write(t) },
          { label: "tenants" },
        )
      : undefined;
  try {
    const report = await provisionWithConfig(config, args.tenants, {
      ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
      ...(progress !== undefined ? { onProgress: progress.onProgress } : {}),
    });
    progress?.finish();
    process.stdout.write(`${formatProvisionReport(report, { verbose: args.verbose })}\n`);
    return 0;
  } catch (err) {
    progress?.finish();
    process.stderr.write(`provision failed: ${(err as Error).message}\n`);
    return 1;
  }
}

/** Provisions `tenants` with clients built from `config` (and closed again). Used by the CLI and the demo. */
export async function provisionWithConfig(
  config: SluiceConfig,
  tenants: readonly TenantId[],
  options: ProvisionOptions = {},
): Promise<ProvisionReport> {
  const aws = createAwsClients(config.aws);
  let mongo;
  try {
    mongo = await connectMongo(config);
    return await provision(
      {
        sqs: createSqsAdapter(aws.sqs),
        blobs: createS3Store(aws.s3, config.s3.bucket, { defaultKmsKeyId: config.encryption.kmsKeyId }),
        db: mongo.db(),
        queues: {
          prefix: config.queues.prefix,
          maxReceiveCount: config.queues.maxReceiveCount,
          visibilityTimeoutSeconds: config.worker.visibilityTimeoutSeconds,
          kmsKeyId: config.encryption.kmsKeyId,
        },
      },
      tenants,
      options,
    );
  } finally {
    await mongo?.close();
    aws.destroy();
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await provisionCommand(process.argv.slice(2));
}
