import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createAwsClients, type AwsClients } from "../../shared/aws/clients.ts";
import { createS3Store } from "../../shared/aws/s3.ts";
import { createSqsAdapter } from "../../shared/aws/sqs.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { provision, type ProvisionDeps, type ProvisionReport } from "../../infra/provision.ts";
import { emptyAndDeleteBucket } from "./helpers/aws.ts";
import { testConfig, uniqueName } from "./helpers/env.ts";
import { testDatabase } from "./helpers/mongo.ts";

const run = promisify(execFile);

describe("provision", () => {
  let clients: AwsClients;
  let sqs: SqsPort;
  let deps: ProvisionDeps;
  let dropDb: () => Promise<void>;
  let dbName: string;
  const prefix = uniqueName("prov");
  const bucket = uniqueName("prov");
  const reports: ProvisionReport[] = [];
  const tenants = [tenantId("acme"), tenantId("globex")];

  beforeAll(async () => {
    clients = createAwsClients(testConfig().aws);
    sqs = createSqsAdapter(clients.sqs);
    const t = await testDatabase("prov");
    dropDb = t.drop;
    dbName = t.db.databaseName;
    deps = {
      sqs,
      blobs: createS3Store(clients.s3, bucket),
      db: t.db,
      queues: { prefix, maxReceiveCount: 3, visibilityTimeoutSeconds: 20 },
      now: () => new Date("2026-01-01T00:00:00Z"),
    };
  });
  afterAll(async () => {
    for (const r of reports) {
      for (const q of [r.workQueue, ...Object.values(r.intakeQueues)]) {
        await sqs.deleteQueue(q.url);
        if (q.dlq) await sqs.deleteQueue(q.dlq.url);
      }
    }
    await emptyAndDeleteBucket(clients.s3, bucket);
    await dropDb();
    clients.destroy();
  });

  it("creates queues with DLQs, the bucket, indexes and default quotas", async () => {
    const report = await provision(deps, tenants);
    reports.push(report);
    expect(report.found).toEqual([]);
    expect(report.created).toEqual(
      expect.arrayContaining([
        `bucket ${bucket}`,
        `queue ${prefix}-work`,
        `queue ${prefix}-work-dlq`,
        `queue ${prefix}-intake-acme`,
        `queue ${prefix}-intake-acme-dlq`,
        `queue ${prefix}-intake-globex`,
        `queue ${prefix}-intake-globex-dlq`,
        "index jobs.jobs_tenant_idempotency_unique",
        "quota acme",
        "quota globex",
      ]),
    );
    const acme = report.intakeQueues.acme;
    expect(acme?.dlq?.name).toBe(`${prefix}-intake-acme-dlq`);

    const quota = await deps.db
      .collection(COLLECTIONS.tenants)
      .findOne({ tenantId: "acme" }, { projection: { _id: 0 } });
    expect(quota).toEqual({
      tenantId: "acme",
      status: "active",
      tier: "shared",
      weight: 1,
      maxConcurrency: 10,
      minConcurrency: 0,
      rate: { perSecond: 50, burst: 100 },
      updatedAt: new Date("2026-01-01T00:00:00Z"),
      version: 1,
    });
  });

  it("the intake queue's redrive policy sends a message to its DLQ after maxReceiveCount receives", async () => {
    const acme = reports[0]?.intakeQueues.acme;
    if (!acme?.dlq) throw new Error("no acme queue");
    await sqs.send(acme.url, { body: "not json" });
    for (let i = 0; i < 3; i++) {
      const [m] = await sqs.receive(acme.url, { waitSeconds: 1 });
      await sqs.changeVisibility(acme.url, m?.receiptHandle ?? "", 0);
    }
    expect(await sqs.receive(acme.url)).toEqual([]);
    const [dead] = await sqs.receive(acme.dlq.url, { waitSeconds: 1 });
    expect(dead?.body).toBe("not json");
  });

  it("a second run creates nothing and leaves an edited quota alone", async () => {
    await deps.db
      .collection(COLLECTIONS.tenants)
      .updateOne({ tenantId: "acme" }, { $set: { weight: 5, version: 2 } });
    const again = await provision(deps, tenants);
    expect(again.created).toEqual([]);
    expect(again.found).toHaveLength(reports[0]?.created.length ?? -1);
    expect(again.workQueue.url).toBe(reports[0]?.workQueue.url);
    const acme = await deps.db.collection(COLLECTIONS.tenants).findOne({ tenantId: "acme" });
    expect(acme).toMatchObject({ weight: 5, version: 2 });
  });

  it("adding a tenant creates only that tenant's queues and quota", async () => {
    const report = await provision(deps, [...tenants, tenantId("initech")]);
    reports.push(report);
    expect(report.created.sort()).toEqual(
      [`queue ${prefix}-intake-initech`, `queue ${prefix}-intake-initech-dlq`, "quota initech"].sort(),
    );
  });

  it("the command line reports created vs found and exits 2 on a bad tenant id", async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLUICE_QUEUE_PREFIX: prefix,
      SLUICE_BUCKET: bucket,
      SLUICE_DB: dbName,
    };
    env.AWS_ACCESS_KEY_ID ??= "test";
    env.AWS_SECRET_ACCESS_KEY ??= "test";
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "infra/provision.ts", "--tenants", "acme,globex"],
      {
        env,
      },
    );
    expect(stdout).toContain(`found    queue ${prefix}-intake-acme`);
    expect(stdout).toMatch(/provisioned: 0 created, \d+ already present/);

    const bad = await run(
      process.execPath,
      ["--import", "tsx", "infra/provision.ts", "--tenants", "Bad_Id"],
      {
        env,
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain("invalid tenant id");
  });
});
