/**
 * `sluice iam policy <scheduler|worker|api> [--tenant T]`: prints one IAM policy document as JSON on
 * stdout and nothing else. Resource ARNs come from the configuration (AWS_REGION, SLUICE_QUEUE_PREFIX,
 * SLUICE_BUCKET, SLUICE_KMS_KEY_ID, the account from SLUICE_AWS_ACCOUNT_ID or `--account`); the
 * tenants' own buckets and keys from their tenant documents (`storage`), read from MongoDB.
 */
import type { Db } from "mongodb";
import type { SluiceConfig } from "../config/config.ts";
import { COLLECTIONS } from "../mongo/collections.ts";
import { placementFrom } from "../tenancy/storage-placement.ts";
import { isTenantIdShape, TENANT_ID_RULE, tenantId, type TenantId } from "../tenancy/tenant-id.ts";
import { COMPONENTS, type Component } from "./components.ts";
import { componentPolicy, sessionPolicy, type PolicyDocument, type TenantScope } from "./policy.ts";

export interface IamPolicyArgs {
  readonly part: string;
  readonly tenant?: string | undefined;
  readonly account?: string | undefined;
}

export interface IamPolicyIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Why the arguments cannot make a policy (exit 2). */
export class IamUsageError extends Error {
  override name = "IamUsageError";
}

export function isComponent(part: string): part is Component {
  return (COMPONENTS as readonly string[]).includes(part);
}

/** The policy for `args`, reading tenants' `storage` through `db` (pure apart from that read). */
export async function buildPolicy(
  args: IamPolicyArgs,
  config: SluiceConfig,
  db: Db,
): Promise<PolicyDocument> {
  if (!isComponent(args.part))
    throw new IamUsageError(`unknown part ${JSON.stringify(args.part)}: expected ${COMPONENTS.join(", ")}`);
  const accountId = args.account ?? config.encryption.accountId;
  if (accountId === undefined || !/^\d{12}$/.test(accountId))
    throw new IamUsageError(
      "the account is needed for the ARNs: set SLUICE_AWS_ACCOUNT_ID or pass --account <12 digits>",
    );
  const tenants = db.collection(COLLECTIONS.tenants);
  const base = {
    region: config.aws.region,
    accountId,
    queuePrefix: config.queues.prefix,
    bucket: config.s3.bucket,
    fleetKmsKeyId: config.encryption.kmsKeyId,
    bedrock:
      config.llm.provider === "bedrock" && config.llm.model !== undefined
        ? { region: config.llm.bedrock.region, model: config.llm.model }
        : undefined,
  };
  if (args.tenant !== undefined) {
    if (!isTenantIdShape(args.tenant)) throw new IamUsageError(`--tenant: a tenant id ${TENANT_ID_RULE}`);
    const tenant = tenantId(args.tenant);
    const doc = await tenants.findOne({ tenantId: tenant }, { projection: { _id: 0, storage: 1 } });
    const placement = placementFrom(config.s3.bucket, tenant, doc?.["storage"]);
    const scope: TenantScope = { tenant, bucket: placement.bucket, kmsKeyId: placement.kmsKeyId };
    return sessionPolicy(args.part, base, scope);
  }
  // Every tenant's own bucket: the fleet policies reach them too (a fleet-level read of the tenants).
  const own = await tenants
    .find({ "storage.bucket": { $type: "string" } }, { projection: { _id: 0, tenantId: 1, storage: 1 } })
    .toArray();
  const tenantBuckets = own.map(
    (d) => placementFrom(config.s3.bucket, d["tenantId"] as TenantId, d["storage"]).bucket,
  );
  return componentPolicy(args.part, { ...base, tenantBuckets });
}

/** Loads the configuration, connects to MongoDB, prints the policy. Exit 0, 1 (failed) or 2 (usage). */
export async function iamPolicyCommand(args: IamPolicyArgs, io: IamPolicyIo): Promise<number> {
  if (!isComponent(args.part)) {
    io.err(
      `sluice iam policy: unknown part ${JSON.stringify(args.part)}: expected ${COMPONENTS.join(", ")}\n`,
    );
    return 2;
  }
  const { loadConfig, ConfigError, CONFIG_EXIT_CODE } = await import("../config/index.ts");
  let config: SluiceConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.err(`sluice: invalid configuration\n${e.problems.map((p) => `  ${p}`).join("\n")}\n`);
    return CONFIG_EXIT_CODE;
  }
  const { connectMongo } = await import("../mongo/client.ts");
  const mongo = await connectMongo(config, { appName: "sluice-iam-cli" });
  try {
    const policy = await buildPolicy(args, config, mongo.db());
    io.out(`${JSON.stringify(policy, null, 2)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof IamUsageError) {
      io.err(`sluice iam policy: ${e.message}\n`);
      return 2;
    }
    io.err(`sluice iam policy: ${(e as Error).name}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await mongo.close();
  }
}
