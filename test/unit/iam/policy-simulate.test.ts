/**
 * The generated IAM policies evaluated by an IAM policy simulator (@cloud-copilot/iam-simulate), request
 * by request: the action, the resource ARN and the context keys (`s3:prefix`, `kms:ViaService`) a
 * real call carries. Nothing here reads the JSON: the simulator decides.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { COMPONENTS, NEEDS, type Component, type QueueTarget } from "../../../shared/iam/components.ts";
import {
  componentPolicy,
  sessionPolicy,
  type PolicyDocument,
  type PolicyScope,
} from "../../../shared/iam/policy.ts";
import { BLOB_METHOD_ACTIONS, SQS_METHOD_ACTIONS } from "../../../shared/iam/port-actions.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const FLEET_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-000000000001`;
const ACME_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-0000000000ac`;
const GLOBEX_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-0000000000b1`;
const scope: PolicyScope = {
  region: REGION,
  accountId: ACCOUNT,
  queuePrefix: "sluice",
  bucket: "sluice-data",
  tenantBuckets: ["globex-data"],
  fleetKmsKeyId: FLEET_KEY,
};
const acme = tenantId("acme");
const queue = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const QUEUES: Record<QueueTarget, string> = {
  intake: queue("sluice-intake-acme"),
  intakeDlq: queue("sluice-intake-acme-dlq"),
  work: queue("sluice-work"),
  workDlq: queue("sluice-work-dlq"),
};
const object = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** A KMS key's default key policy: it delegates to the account's IAM policies (as AWS creates keys). */
const DEFAULT_KEY_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Enable IAM User Permissions",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ],
};

async function decide(
  identity: PolicyDocument,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
  session?: PolicyDocument,
): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/sluice`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [{ name: "sluice", policy: identity }],
      ...(session !== undefined ? { sessionPolicy: session } : {}),
      ...(action.startsWith("kms:") ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

const viaS3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com` };
const viaSqs = { "kms:ViaService": `sqs.${REGION}.amazonaws.com` };

/** Every request a part's calls make, as the simulator needs them. */
function neededRequests(c: Component, tenantKey: string) {
  const requests: { action: string; resource: string; context?: Record<string, string> }[] = [];
  for (const [target, methods] of Object.entries(NEEDS[c].queues) as [QueueTarget, string[]][]) {
    for (const m of methods)
      for (const action of SQS_METHOD_ACTIONS[m as keyof typeof SQS_METHOD_ACTIONS])
        requests.push({ action, resource: QUEUES[target] });
  }
  for (const m of NEEDS[c].objects) {
    for (const action of BLOB_METHOD_ACTIONS[m]) {
      if (action === "s3:ListBucket")
        requests.push({
          action,
          resource: "arn:aws:s3:::sluice-data",
          context: { "s3:prefix": "tenants/acme/" },
        });
      else requests.push({ action, resource: object("sluice-data", "tenants/acme/jobs/j1/out.json") });
      if (action === "s3:PutObject")
        requests.push({ action: "kms:GenerateDataKey", resource: tenantKey, context: viaS3 });
      if (action === "s3:GetObject")
        requests.push({ action: "kms:Decrypt", resource: tenantKey, context: viaS3 });
    }
  }
  return requests;
}

describe("iam policy <part>: real requests against the generated policies", () => {
  for (const c of COMPONENTS) {
    it(`${c}: every call it makes is allowed`, async () => {
      const policy = componentPolicy(c, scope);
      const requests = neededRequests(c, ACME_KEY);
      expect(requests.length).toBeGreaterThan(3);
      for (const r of requests) {
        expect(`${r.action} ${r.resource} → ${await decide(policy, r.action, r.resource, r.context)}`).toBe(
          `${r.action} ${r.resource} → Allowed`,
        );
      }
    });
  }

  it("objects in a tenant's own bucket are reachable, other buckets and prefixes are not", async () => {
    const worker = componentPolicy("worker", scope);
    expect(await decide(worker, "s3:GetObject", object("globex-data", "tenants/globex/jobs/j/x"))).toBe(
      "Allowed",
    );
    expect(await decide(worker, "s3:GetObject", object("other-bucket", "tenants/acme/x"))).toBe(
      "ImplicitlyDenied",
    );
    expect(await decide(worker, "s3:GetObject", object("sluice-data", "config/secrets.json"))).toBe(
      "ImplicitlyDenied",
    );
    expect(await decide(worker, "s3:PutObject", object("sluice-data", "tenantsx/acme/x"))).toBe(
      "ImplicitlyDenied",
    );
    // Listing only under tenants/: the whole bucket or another prefix is refused.
    expect(await decide(worker, "s3:ListBucket", "arn:aws:s3:::sluice-data", { "s3:prefix": "" })).toBe(
      "ImplicitlyDenied",
    );
    expect(
      await decide(worker, "s3:ListBucket", "arn:aws:s3:::sluice-data", { "s3:prefix": "backups/" }),
    ).toBe("ImplicitlyDenied");
  });

  it("what no part needs is denied: deleting queues and buckets, admin calls, KMS outside S3 and SQS", async () => {
    for (const c of COMPONENTS) {
      const policy = componentPolicy(c, scope);
      expect(await decide(policy, "sqs:DeleteQueue", QUEUES.work)).not.toBe("Allowed");
      expect(await decide(policy, "sqs:CreateQueue", queue("sluice-intake-newco"))).not.toBe("Allowed");
      expect(await decide(policy, "sqs:SetQueueAttributes", QUEUES.intake)).not.toBe("Allowed");
      expect(await decide(policy, "sqs:PurgeQueue", QUEUES.work)).not.toBe("Allowed");
      expect(await decide(policy, "s3:DeleteBucket", "arn:aws:s3:::sluice-data")).not.toBe("Allowed");
      expect(await decide(policy, "s3:PutEncryptionConfiguration", "arn:aws:s3:::sluice-data")).not.toBe(
        "Allowed",
      );
      expect(await decide(policy, "s3:PutBucketPolicy", "arn:aws:s3:::sluice-data")).not.toBe("Allowed");
      expect(await decide(policy, "kms:Decrypt", ACME_KEY)).not.toBe("Allowed"); // not via S3/SQS
      expect(await decide(policy, "kms:ScheduleKeyDeletion", FLEET_KEY, viaS3)).not.toBe("Allowed");
    }
  });

  it("the llm step's Bedrock model: the worker may invoke it (and only it), no other part may", async () => {
    const model = "anthropic.claude-3-haiku-20240307-v1:0";
    const withModel = { ...scope, bedrock: { region: REGION, model } };
    const fm = (m: string) => `arn:aws:bedrock:${REGION}::foundation-model/${m}`;
    expect(await decide(componentPolicy("worker", withModel), "bedrock:InvokeModel", fm(model))).toBe(
      "Allowed",
    );
    expect(
      await decide(componentPolicy("worker", withModel), "bedrock:InvokeModel", fm("other.model-v1")),
    ).toBe("ImplicitlyDenied");
    expect(await decide(componentPolicy("worker", scope), "bedrock:InvokeModel", fm(model))).toBe(
      "ImplicitlyDenied",
    );
    for (const c of ["scheduler", "api"] as const)
      expect(await decide(componentPolicy(c, withModel), "bedrock:InvokeModel", fm(model))).toBe(
        "ImplicitlyDenied",
      );
    // A cross-region inference profile: the profile and the model it routes to, in any region.
    const profile = { ...scope, bedrock: { region: REGION, model: `eu.${model}` } };
    const worker = componentPolicy("worker", profile);
    expect(
      await decide(
        worker,
        "bedrock:InvokeModel",
        `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/eu.${model}`,
      ),
    ).toBe("Allowed");
    expect(
      await decide(worker, "bedrock:InvokeModel", `arn:aws:bedrock:eu-central-1::foundation-model/${model}`),
    ).toBe("Allowed");
  });

  it("each part is kept to its queues", async () => {
    const worker = componentPolicy("worker", scope);
    const scheduler = componentPolicy("scheduler", scope);
    // The worker's sweeper sends a recorded job's unsent intake message (ADR 0026); nothing else there.
    expect(await decide(worker, "sqs:SendMessage", QUEUES.intake)).toBe("Allowed");
    expect(await decide(worker, "sqs:SendMessage", QUEUES.intakeDlq)).toBe("ExplicitlyDenied");
    expect(await decide(worker, "sqs:ReceiveMessage", QUEUES.intake)).toBe("ImplicitlyDenied");
    expect(await decide(scheduler, "sqs:ReceiveMessage", QUEUES.work)).toBe("ImplicitlyDenied");
    expect(await decide(scheduler, "sqs:SendMessage", QUEUES.intake)).toBe("ImplicitlyDenied");
    // The scheduler receives from intake queues, never from their DLQs (the pattern matches both).
    expect(await decide(scheduler, "sqs:ReceiveMessage", QUEUES.intakeDlq)).toBe("ExplicitlyDenied");
    expect(await decide(scheduler, "sqs:DeleteMessage", QUEUES.intakeDlq)).toBe("ExplicitlyDenied");
    expect(await decide(scheduler, "sqs:SendMessage", QUEUES.intakeDlq)).toBe("Allowed");
    // Another fleet's queues (another prefix) are out of reach.
    expect(await decide(scheduler, "sqs:ReceiveMessage", queue("other-intake-acme"))).toBe(
      "ImplicitlyDenied",
    );
    // The queues' fleet key: only through SQS.
    expect(await decide(worker, "kms:Decrypt", FLEET_KEY, viaSqs)).toBe("Allowed");
    expect(await decide(worker, "kms:Decrypt", FLEET_KEY)).toBe("ImplicitlyDenied");
  });
});

describe("iam policy <part> --tenant T: the session policy", () => {
  const tenantScope = { tenant: acme, kmsKeyId: ACME_KEY };

  for (const c of COMPONENTS) {
    it(`${c} as acme: acme's calls allowed; another tenant's prefix, queues and key denied`, async () => {
      const role = componentPolicy(c, scope);
      const session = sessionPolicy(c, scope, tenantScope);
      const allowed = (a: string, r: string, ctx: Record<string, string> = {}) =>
        decide(role, a, r, ctx, session);
      for (const r of neededRequests(c, ACME_KEY)) {
        if (r.resource === QUEUES.work || r.resource === QUEUES.workDlq) {
          expect(await allowed(r.action, r.resource, r.context)).not.toBe("Allowed"); // fleet queues: not a tenant's
          continue;
        }
        expect(`${r.action} ${r.resource} → ${await allowed(r.action, r.resource, r.context)}`).toBe(
          `${r.action} ${r.resource} → Allowed`,
        );
      }
      for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
        expect(await allowed(action, object("sluice-data", "tenants/globex/jobs/j1/out.json"))).not.toBe(
          "Allowed",
        );
        expect(await allowed(action, object("globex-data", "tenants/globex/jobs/j1/out.json"))).not.toBe(
          "Allowed",
        );
        expect(await allowed(action, object("sluice-data", "tenants/acmex/jobs/j1/out.json"))).not.toBe(
          "Allowed",
        );
      }
      for (const prefix of ["tenants/globex/", "tenants/", "", "tenants/acmex/"]) {
        expect(await allowed("s3:ListBucket", "arn:aws:s3:::sluice-data", { "s3:prefix": prefix })).not.toBe(
          "Allowed",
        );
      }
      for (const action of [
        "sqs:SendMessage",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueUrl",
      ]) {
        expect(await allowed(action, queue("sluice-intake-globex"))).not.toBe("Allowed");
        expect(await allowed(action, queue("sluice-intake-globex-dlq"))).not.toBe("Allowed");
      }
      expect(await allowed("kms:Decrypt", GLOBEX_KEY, viaS3)).not.toBe("Allowed");
      expect(await allowed("kms:GenerateDataKey", GLOBEX_KEY, viaS3)).not.toBe("Allowed");
    });
  }

  it("a tenant with its own bucket: that bucket's tenants/<T>/ only", async () => {
    const session = sessionPolicy("worker", scope, { tenant: tenantId("globex"), bucket: "globex-data" });
    const role = componentPolicy("worker", scope);
    const d = (a: string, r: string, ctx: Record<string, string> = {}) => decide(role, a, r, ctx, session);
    expect(await d("s3:GetObject", object("globex-data", "tenants/globex/jobs/j/x"))).toBe("Allowed");
    expect(
      await d("s3:ListBucket", "arn:aws:s3:::globex-data", { "s3:prefix": "tenants/globex/jobs/" }),
    ).toBe("Allowed");
    expect(await d("s3:GetObject", object("sluice-data", "tenants/globex/jobs/j/x"))).not.toBe("Allowed");
    expect(await d("s3:GetObject", object("globex-data", "tenants/acme/jobs/j/x"))).not.toBe("Allowed");
    // No key of its own: the fleet key of the bucket default, through S3 only.
    expect(await d("kms:Decrypt", FLEET_KEY, viaS3)).toBe("Allowed");
    expect(await d("kms:Decrypt", ACME_KEY, viaS3)).not.toBe("Allowed");
  });
});
