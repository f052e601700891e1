/**
 * `iam policy <scheduler|worker|api> [--tenant T]`: the IAM policy each part of Sluice needs and
 * nothing more (ADR 0022). Pure: the actions come from what each part calls (components.ts, checked
 * against the code) and the ports' action tables (port-actions.ts); the resource ARNs from the
 * configuration (account, region, queue prefix, bucket, KMS key).
 *
 * - A part's policy covers every tenant: queues by name pattern, objects under `tenants/*` in the
 *   fleet bucket and in tenants' own buckets, KMS keys only through S3 or SQS (`kms:ViaService`).
 *   `<prefix>-intake-*` also matches the intake DLQs (`...-dlq`; no tenant id ends so), so what a part
 *   may do to intake queues but not to their DLQs is denied on the DLQs explicitly.
 * - A session policy (`--tenant T`) narrows a part to one tenant, for STS AssumeRole's `Policy`:
 *   objects under `tenants/T/*` of T's bucket, listing only with `s3:prefix` under `tenants/T/`, T's
 *   intake queue and its DLQ, T's KMS key. The session's permissions are the intersection of the
 *   role's policy and this one.
 */
import { dlqName, intakeQueueName, workQueueName } from "../aws/queue-names.ts";
import { TENANTS_ROOT } from "../tenancy/keys.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import { NEEDS, type Component, type QueueTarget } from "./components.ts";
import { BLOB_METHOD_ACTIONS, SQS_METHOD_ACTIONS } from "./port-actions.ts";

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

export interface PolicyScope {
  readonly region: string;
  readonly accountId: string;
  readonly queuePrefix: string;
  /** The fleet bucket (`SLUICE_BUCKET`). */
  readonly bucket: string;
  /** Buckets of tenants that have their own (`storage.bucket`). */
  readonly tenantBuckets?: readonly string[];
  /** The fleet KMS key (`SLUICE_KMS_KEY_ID`): bucket default encryption and queue SSE. */
  readonly fleetKmsKeyId?: string | undefined;
  /** The `llm` step's Bedrock model, when the provider is `bedrock` (workers call Converse). */
  readonly bedrock?: { readonly region: string; readonly model: string } | undefined;
}

/**
 * What Converse on `model` needs (`bedrock:InvokeModel`): a foundation model by id or ARN, or a
 * cross-region inference profile (`us.`/`eu.`/`apac.`/`global.` + model id) and the models it routes to.
 */
export function bedrockResources(scope: PolicyScope, region: string, model: string): string[] {
  const p = partitionOf(region);
  if (model.startsWith("arn:")) return [model];
  const profile = /^(us|eu|apac|global|us-gov)\.(.+)$/.exec(model);
  if (profile)
    return [
      `arn:${p}:bedrock:${region}:${scope.accountId}:inference-profile/${model}`,
      `arn:${p}:bedrock:*::foundation-model/${profile[2]}`,
    ];
  return [`arn:${p}:bedrock:${region}::foundation-model/${model}`];
}

export interface TenantScope {
  readonly tenant: TenantId;
  /** The tenant's own bucket (`storage.bucket`); default the fleet bucket. */
  readonly bucket?: string | undefined;
  /** The tenant's KMS key (`storage.kmsKeyId`). */
  readonly kmsKeyId?: string | undefined;
}

const SEND_ACTIONS = new Set(["sqs:SendMessage"]);
const RECEIVE_ACTIONS = new Set(["sqs:ReceiveMessage"]);

export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function actionsOf<M extends string>(table: Readonly<Record<M, readonly string[]>>, methods: readonly M[]) {
  return sorted(methods.flatMap((m) => table[m]));
}

/** The resource and the condition that name a KMS key (an alias needs `kms:ResourceAliases`). */
function kmsKey(scope: PolicyScope, id: string): { resource: string; aliases?: string } {
  const p = partitionOf(scope.region);
  if (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(id)) return { resource: id };
  const alias = /^(?:arn:[^:]+:kms:[^:]+:\d{12}:)?(alias\/.+)$/.exec(id)?.[1];
  const anyKey = `arn:${p}:kms:${scope.region}:${scope.accountId}:key/*`;
  if (alias !== undefined) return { resource: anyKey, aliases: alias };
  return { resource: `arn:${p}:kms:${scope.region}:${scope.accountId}:key/${id}` };
}

function kmsStatement(
  scope: PolicyScope,
  sid: string,
  actions: readonly string[],
  service: "s3" | "sqs",
  key: string | undefined,
): PolicyStatement {
  const p = partitionOf(scope.region);
  const named = key === undefined ? undefined : kmsKey(scope, key);
  return {
    Sid: sid,
    Effect: "Allow",
    Action: sorted(actions),
    Resource: [named?.resource ?? `arn:${p}:kms:${scope.region}:${scope.accountId}:key/*`],
    Condition: {
      StringEquals: { "kms:ViaService": `${service}.${scope.region}.amazonaws.com` },
      ...(named?.aliases !== undefined
        ? { "ForAnyValue:StringEquals": { "kms:ResourceAliases": named.aliases } }
        : {}),
    },
  };
}

const QUEUE_SIDS: Record<QueueTarget, string> = {
  intake: "IntakeQueues",
  intakeDlq: "IntakeDeadLetterQueues",
  work: "WorkQueue",
  workDlq: "WorkDeadLetterQueue",
};

function queueResource(scope: PolicyScope, target: QueueTarget, tenant: TenantId | undefined): string {
  const base = `arn:${partitionOf(scope.region)}:sqs:${scope.region}:${scope.accountId}:`;
  const prefix = scope.queuePrefix;
  const intake = (t: TenantId) => intakeQueueName(prefix, t);
  switch (target) {
    case "intake":
      return base + (tenant ? intake(tenant) : `${prefix}-intake-*`);
    case "intakeDlq":
      return base + (tenant ? dlqName(intake(tenant)) : `${prefix}-intake-*-dlq`);
    case "work":
      return base + workQueueName(prefix);
    case "workDlq":
      return base + dlqName(workQueueName(prefix));
  }
}

function build(component: Component, scope: PolicyScope, tenant: TenantScope | undefined): PolicyDocument {
  const needs = NEEDS[component];
  const p = partitionOf(scope.region);
  const statements: PolicyStatement[] = [];
  const t = tenant?.tenant;

  // Queues: one statement per kind of queue; a session keeps only the tenant's own queues.
  const sqsActions = new Set<string>();
  const targets = (Object.keys(needs.queues) as QueueTarget[]).filter(
    (q) => t === undefined || q === "intake" || q === "intakeDlq",
  );
  for (const target of targets) {
    const actions = actionsOf(SQS_METHOD_ACTIONS, needs.queues[target] ?? []);
    actions.forEach((a) => sqsActions.add(a));
    statements.push({
      Sid: QUEUE_SIDS[target],
      Effect: "Allow",
      Action: actions,
      Resource: [queueResource(scope, target, t)],
    });
  }
  if (t === undefined && needs.queues.intake) {
    const dlqAllowed = new Set(actionsOf(SQS_METHOD_ACTIONS, needs.queues.intakeDlq ?? []));
    const denied = actionsOf(SQS_METHOD_ACTIONS, needs.queues.intake).filter((a) => !dlqAllowed.has(a));
    if (denied.length > 0) {
      statements.push({
        Sid: "NotOnIntakeDeadLetterQueues",
        Effect: "Deny",
        Action: denied,
        Resource: [queueResource(scope, "intakeDlq", undefined)],
      });
    }
  }
  if (scope.fleetKmsKeyId !== undefined && sqsActions.size > 0) {
    const kms = new Set<string>();
    if ([...sqsActions].some((a) => SEND_ACTIONS.has(a))) kms.add("kms:GenerateDataKey").add("kms:Decrypt");
    if ([...sqsActions].some((a) => RECEIVE_ACTIONS.has(a))) kms.add("kms:Decrypt");
    if (kms.size > 0) statements.push(kmsStatement(scope, "QueueKey", [...kms], "sqs", scope.fleetKmsKeyId));
  }

  // Objects: only under tenants/ (or tenants/<T>/), listing only with such a prefix.
  const buckets =
    tenant !== undefined
      ? [tenant.bucket ?? scope.bucket]
      : sorted([scope.bucket, ...(scope.tenantBuckets ?? [])]);
  const under = t === undefined ? `${TENANTS_ROOT}/*` : `${TENANTS_ROOT}/${t}/*`;
  const objectActions = actionsOf(BLOB_METHOD_ACTIONS, needs.objects);
  const onObjects = objectActions.filter((a) => a !== "s3:ListBucket");
  if (onObjects.length > 0) {
    statements.push({
      Sid: "TenantObjects",
      Effect: "Allow",
      Action: onObjects,
      Resource: buckets.map((b) => `arn:${p}:s3:::${b}/${under}`),
    });
  }
  if (objectActions.includes("s3:ListBucket")) {
    statements.push({
      Sid: "ListTenantPrefixes",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: buckets.map((b) => `arn:${p}:s3:::${b}`),
      Condition: { StringLike: { "s3:prefix": [under] } },
    });
  }
  const kms: string[] = [];
  if (onObjects.includes("s3:PutObject")) kms.push("kms:GenerateDataKey");
  if (onObjects.includes("s3:GetObject")) kms.push("kms:Decrypt");
  if (kms.length > 0) {
    // A part serves every tenant: any key, but only through S3 (tenants' keys live in their
    // documents). A session: the tenant's key, else the fleet key of the bucket default, else none.
    const key = tenant !== undefined ? (tenant.kmsKeyId ?? scope.fleetKmsKeyId) : undefined;
    if (tenant === undefined || key !== undefined)
      statements.push(kmsStatement(scope, "ObjectKeys", kms, "s3", key));
  }
  if (needs.bedrock === true && scope.bedrock !== undefined) {
    statements.push({
      Sid: "LlmModel",
      Effect: "Allow",
      Action: ["bedrock:InvokeModel"],
      Resource: bedrockResources(scope, scope.bedrock.region, scope.bedrock.model),
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** The identity policy of a part (its role), for every tenant. */
export function componentPolicy(component: Component, scope: PolicyScope): PolicyDocument {
  return build(component, scope, undefined);
}

/** A session policy narrowing a part's role to one tenant (STS AssumeRole `Policy`). */
export function sessionPolicy(component: Component, scope: PolicyScope, tenant: TenantScope): PolicyDocument {
  return build(component, scope, tenant);
}
