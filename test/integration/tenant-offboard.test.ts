/**
 * Offboarding on the real stack (scheduler/moves/offboard.ts through `tenants offboard`): refused
 * while jobs are in flight (nothing written), then with --force the jobs are cancelled; the export
 * holds every document (NDJSON per collection) and every object byte for byte; after confirmation
 * the documents, objects, intake queue and its DLQ and the tenant document are gone, the report
 * counts them and is in the export directory, the audit trail stays with a tenant.offboard entry;
 * another tenant's documents, objects and queues are untouched. Not confirmed: nothing deleted.
 */
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BSON, type Db, type Document } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantsCommand, type TenantsDeps } from "../../scheduler/cli/tenants.ts";
import { digests } from "../../scheduler/moves/move-steps.ts";
import { createAuditLog } from "../../shared/audit/audit-log.ts";
import { dlqName, intakeQueueName } from "../../shared/aws/queue-names.ts";
import { createS3Store, type BlobStore } from "../../shared/aws/s3.ts";
import { createSqsAdapter } from "../../shared/aws/sqs.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import type { AwsClients } from "../../shared/aws/clients.ts";
import { createJobStore } from "../../shared/jobs/job-store.ts";
import { COLLECTIONS, TENANT_DATA_COLLECTIONS } from "../../shared/mongo/collections.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { scopedCollection } from "../../shared/tenancy/scoped-collection.ts";
import { tenantId, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import { emptyAndDeleteBucket, testAwsClients } from "./helpers/aws.ts";
import { uniqueName } from "./helpers/env.ts";
import { createQueuedJobs, insertTenantDoc } from "../support/tenant-seed.ts";
import { testDatabase } from "./helpers/mongo.ts";

const acme = tenantId("acme");
const globex = tenantId("globex");
const ops = { kind: "os" as const, subject: "ops" };

let db: Db;
let drop: () => Promise<void>;
let aws: AwsClients;
let sqs: SqsPort;
let blobs: BlobStore;
let bucket: string;
let prefix: string;
let dir: string;

beforeAll(async () => {
  ({ db, drop } = await testDatabase("offboard"));
  await ensureIndexes(db);
  aws = testAwsClients();
  sqs = createSqsAdapter(aws.sqs);
  bucket = uniqueName("offboard");
  prefix = uniqueName("ob");
  blobs = createS3Store(aws.s3, bucket);
  await blobs.ensureBucket();
  dir = await mkdtemp(join(tmpdir(), "sluice-offboard-"));
  for (const t of [acme, globex]) {
    const q = intakeQueueName(prefix, t);
    await sqs.ensureQueue(dlqName(q));
    await sqs.ensureQueue(q);
  }
});
afterAll(async () => {
  for (const t of [acme, globex]) {
    for (const name of [intakeQueueName(prefix, t), dlqName(intakeQueueName(prefix, t))]) {
      await sqs
        .getQueueUrl(name)
        .then((u) => sqs.deleteQueue(u))
        .catch(() => undefined);
    }
  }
  await emptyAndDeleteBucket(aws.s3, bucket).catch(() => undefined);
  aws.destroy();
  await rm(dir, { recursive: true, force: true });
  await drop();
});

async function seed(tenant: TenantId, running: number): Promise<string[]> {
  await insertTenantDoc(db, tenant, 1);
  const store = createJobStore(scopedCollection(db.collection(COLLECTIONS.jobs), tenant, db));
  const ids = await createQueuedJobs(store, tenant, 6, (i) => ({
    idempotencyKey: `k${i}`,
    workflow: { name: "w", version: "v" },
    input: { inline: { i } },
  }));
  for (const [i, id] of ids.entries()) {
    await store.casUpdate(id, 0, { status: "running" }, Date.now());
    if (i >= running) {
      await store.casUpdate(id, 1, { status: "complete", output: { inline: { ok: i } } }, Date.now());
    }
  }
  await db.collection(COLLECTIONS.usage).insertOne({ tenantId: tenant, running, version: 1 });
  await db
    .collection<Document>(COLLECTIONS.llmUsage)
    .insertOne({ _id: `${tenant}:2026-12` as never, tenantId: tenant, tokens: 5, calls: 1 });
  await blobs.put(tenant, ["uploads", "a.pdf"], Buffer.from(`%PDF ${tenant}`));
  await blobs.put(tenant, ["jobs", ids[0]!, "output.json"], Buffer.from(JSON.stringify({ tenant })));
  return ids;
}

describe("tenants offboard", () => {
  it("exports, then deletes everything of the tenant but its audit trail; the other tenant is untouched", async () => {
    await seed(acme, 2);
    await seed(globex, 1);
    await createAuditLog(db).append({
      tenantId: acme,
      actor: ops,
      action: "quota.set",
      at: new Date(Date.now() - 1000),
    });
    const globexDigest = await digests(db, globex, false);
    const out: string[] = [];
    const err: string[] = [];
    const answers: string[] = [];
    const deps = (answer = "nope"): TenantsDeps => ({
      db,
      sqs,
      blobs,
      queuePrefix: prefix,
      actor: ops,
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      ask: async (q) => {
        answers.push(q);
        return answer;
      },
    });
    const exportDir = join(dir, "acme");

    // Jobs in flight: refused, nothing written.
    expect(await tenantsCommand(["offboard", "acme", "--export", exportDir], deps())).toBe(1);
    expect(err.at(-1)).toMatch(/2 job\(s\) queued, running or waiting for review; .*--force/);
    expect(
      await db.collection(COLLECTIONS.jobs).countDocuments({ tenantId: "acme", status: "running" }),
    ).toBe(2);

    // Not confirmed: exported, nothing deleted.
    expect(
      await tenantsCommand(["offboard", "acme", "--export", exportDir, "--force"], deps("acme-typo")),
    ).toBe(1);
    expect(answers.at(-1)).toMatch(/Type the tenant id to confirm/);
    expect(err.at(-1)).toMatch(/not confirmed/);
    expect(await db.collection(COLLECTIONS.jobs).countDocuments({ tenantId: "acme" })).toBe(6);
    expect(
      await db.collection(COLLECTIONS.jobs).countDocuments({ tenantId: "acme", status: "cancelled" }),
    ).toBe(2);

    // Confirmed by typing the tenant id.
    out.length = 0;
    expect(await tenantsCommand(["offboard", "acme", "--export", exportDir], deps("acme"))).toBe(0);
    const jobsFile = await readFile(join(exportDir, "jobs.ndjson"), "utf8");
    const exportedJobs = jobsFile
      .trim()
      .split("\n")
      .map((l) => BSON.EJSON.parse(l) as Document);
    expect(exportedJobs).toHaveLength(6);
    expect(exportedJobs.every((j) => j["tenantId"] === "acme")).toBe(true);
    expect((await readFile(join(exportDir, "llm_usage.ndjson"), "utf8")).trim().split("\n")).toHaveLength(1);
    expect(await readFile(join(exportDir, "s3", "uploads", "a.pdf"), "utf8")).toBe("%PDF acme");
    expect((await readdir(join(exportDir, "s3", "jobs"))).length).toBe(1);

    for (const name of TENANT_DATA_COLLECTIONS) {
      expect(await db.collection(name).countDocuments({ tenantId: "acme" })).toBe(0);
    }
    expect(await db.collection(COLLECTIONS.tenants).countDocuments({ tenantId: "acme" })).toBe(0);
    const left: string[] = [];
    for await (const o of blobs.listAll(acme)) left.push(o.key);
    expect(left).toEqual([]);
    await expect(sqs.getQueueUrl(intakeQueueName(prefix, acme))).rejects.toThrow();
    await expect(sqs.getQueueUrl(dlqName(intakeQueueName(prefix, acme)))).rejects.toThrow();

    const report = JSON.parse(await readFile(join(exportDir, "offboard-report.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(report).toMatchObject({
      tenant: "acme",
      exported: { documents: { jobs: 6, usage: 1, llm_usage: 1 }, objects: 2 },
      deleted: {
        documents: { jobs: 6, usage: 1, usage_ledger: 0, llm_usage: 1 },
        objects: 2,
        queues: [intakeQueueName(prefix, acme), dlqName(intakeQueueName(prefix, acme))],
        tenantDocument: true,
      },
    });
    expect(out.join("\n")).toMatch(/documents: jobs\s+6/);

    // The audit trail is all that is left of the tenant, with the offboarding on top.
    const trail = await createAuditLog(db).list(acme);
    expect(trail.map((e) => e.action)).toEqual(["tenant.offboard", "quota.set"]);
    expect(trail[0]).toMatchObject({ actor: ops, after: { cancelled: 0, deleted: { objects: 2 } } });

    // The other tenant: documents, objects and queues as they were.
    expect(await digests(db, globex, false)).toEqual(globexDigest);
    const theirs: string[] = [];
    for await (const o of blobs.listAll(globex)) theirs.push(o.key);
    expect(theirs).toHaveLength(2);
    expect(await sqs.getQueueUrl(intakeQueueName(prefix, globex))).toBeTruthy();
    expect(await db.collection(COLLECTIONS.tenants).countDocuments({ tenantId: "globex" })).toBe(1);
  });

  it("bad arguments exit 2; an unknown tenant is refused", async () => {
    const deps: TenantsDeps = {
      db,
      sqs,
      blobs,
      queuePrefix: prefix,
      actor: ops,
      out: () => undefined,
      err: () => undefined,
    };
    expect(await tenantsCommand(["offboard", "acme"], deps)).toBe(2);
    expect(await tenantsCommand(["offboard", "--export", dir], deps)).toBe(2);
    expect(await tenantsCommand(["offboard", "nobody", "--export", join(dir, "x"), "--yes"], deps)).toBe(1);
  });
});
