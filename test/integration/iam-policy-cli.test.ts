/**
 * `sluice iam policy` end to end: configuration from the environment, tenants' own buckets and keys
 * from their documents in MongoDB, the JSON on stdout judged by the IAM policy simulator.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { Db } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/run.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { stackEnv } from "./helpers/env.ts";
import { testDatabase } from "./helpers/mongo.ts";

const ACCOUNT = "210987654321";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-4333-8444-555555555555`;

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

async function allowed(policy: unknown, action: string, resource: string, context = {}, session?: unknown) {
  const r = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/sluice`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [{ name: "p", policy }],
      ...(session !== undefined ? { sessionPolicy: session } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (r.resultType === "error") throw new Error(JSON.stringify(r.errors));
  return r.overallResult === "Allowed";
}

describe("sluice iam policy (MongoDB tenant documents)", () => {
  let db: Db;
  let drop: () => Promise<void>;
  const saved = { ...process.env };

  beforeAll(async () => {
    const t = await testDatabase("iam");
    db = t.db;
    drop = t.drop;
    await db.collection(COLLECTIONS.tenants).insertMany([
      { tenantId: "acme", storage: { kmsKeyId: KEY } },
      { tenantId: "globex", storage: { bucket: "globex-own-data" } },
    ]);
    const { awsEndpoint, mongoUrl } = stackEnv();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: awsEndpoint,
      MONGO_URL: mongoUrl,
      AWS_REGION: "us-east-1",
      SLUICE_DB: db.databaseName,
      SLUICE_BUCKET: "fleet-data",
      SLUICE_QUEUE_PREFIX: "prod",
      SLUICE_AWS_ACCOUNT_ID: ACCOUNT,
      LOG_LEVEL: "silent",
    });
  });
  afterAll(async () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await drop();
  });

  it("a part's policy reaches the fleet bucket and tenants' own buckets, under tenants/ only", async () => {
    const r = await cli("iam", "policy", "worker");
    expect(r.code, r.err).toBe(0);
    const policy = JSON.parse(r.out) as unknown;
    expect(await allowed(policy, "s3:GetObject", "arn:aws:s3:::fleet-data/tenants/acme/jobs/j/x")).toBe(true);
    expect(
      await allowed(policy, "s3:PutObject", "arn:aws:s3:::globex-own-data/tenants/globex/jobs/j/x"),
    ).toBe(true);
    expect(await allowed(policy, "s3:GetObject", "arn:aws:s3:::fleet-data/other/x")).toBe(false);
    expect(await allowed(policy, "sqs:ReceiveMessage", `arn:aws:sqs:us-east-1:${ACCOUNT}:prod-work`)).toBe(
      true,
    );
    expect(await allowed(policy, "sqs:ReceiveMessage", `arn:aws:sqs:us-east-1:${ACCOUNT}:sluice-work`)).toBe(
      false,
    );
    expect(await allowed(policy, "sqs:DeleteQueue", `arn:aws:sqs:us-east-1:${ACCOUNT}:prod-work`)).toBe(
      false,
    );
  });

  it("--tenant prints the session policy with the tenant's key from its document", async () => {
    const role = JSON.parse((await cli("iam", "policy", "scheduler")).out) as unknown;
    const r = await cli("iam", "policy", "scheduler", "--tenant", "acme");
    expect(r.code, r.err).toBe(0);
    const session = JSON.parse(r.out) as unknown;
    const q = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
    const via = { "kms:ViaService": "s3.us-east-1.amazonaws.com" };
    expect(await allowed(role, "sqs:ReceiveMessage", q("prod-intake-acme"), {}, session)).toBe(true);
    expect(await allowed(role, "sqs:SendMessage", q("prod-intake-acme-dlq"), {}, session)).toBe(true);
    expect(await allowed(role, "sqs:ReceiveMessage", q("prod-intake-globex"), {}, session)).toBe(false);
    expect(
      await allowed(
        role,
        "s3:PutObject",
        "arn:aws:s3:::fleet-data/tenants/acme/intake-rejected/m",
        {},
        session,
      ),
    ).toBe(true);
    expect(
      await allowed(
        role,
        "s3:PutObject",
        "arn:aws:s3:::fleet-data/tenants/globex/intake-rejected/m",
        {},
        session,
      ),
    ).toBe(false);
    // The simulator checks KMS requests against the key policy too: give it AWS's default one.
    const keyPolicy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    };
    const kms = async (resource: string) => {
      const res = await runSimulation(
        {
          request: {
            principal: `arn:aws:iam::${ACCOUNT}:role/sluice`,
            action: "kms:GenerateDataKey",
            resource: { resource, accountId: ACCOUNT },
            contextVariables: via,
          },
          identityPolicies: [{ name: "p", policy: role }],
          sessionPolicy: session,
          resourcePolicy: keyPolicy,
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      return res.resultType === "error" ? "error" : res.overallResult;
    };
    expect(await kms(KEY)).toBe("Allowed");
    expect(await kms(`arn:aws:kms:us-east-1:${ACCOUNT}:key/99999999-2222-4333-8444-555555555555`)).not.toBe(
      "Allowed",
    );
  });

  it("usage errors exit 2: an unknown part, a bad tenant id, no account", async () => {
    expect((await cli("iam", "policy", "sweeper")).code).toBe(2);
    expect((await cli("iam", "policy", "worker", "--tenant", "Not_A_Tenant")).code).toBe(2);
    delete process.env.SLUICE_AWS_ACCOUNT_ID;
    const r = await cli("iam", "policy", "worker");
    expect(r.code).toBe(2);
    expect(r.err).toContain("SLUICE_AWS_ACCOUNT_ID");
    expect((await cli("iam", "policy", "worker", "--account", ACCOUNT)).code).toBe(0);
  });
});
