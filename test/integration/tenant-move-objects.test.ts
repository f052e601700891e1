/**
 * Moving a tenant's objects with its move, on the real stack (LocalStack S3 and KMS, the
 * MongoDB-wire server): `tenants promote --bucket B --kms-key K` copies every object under
 * `tenants/<t>/` to the new placement under the new key, verifies count, size and encryption,
 * switches the placement with the documents, carries over what a job still running on the old
 * placement writes during the move, and deletes the old objects. Killed after the copy and run
 * again it ends the same; aborted before the switch it deletes the copies; `tenants set` refuses a
 * placement edit that would leave objects behind. (ADR 0021, ADR 0022 "Moving objects".)
 *
 * The "process still on the old placement" is a second blob store whose placement is the old one
 * (what a process with a cached placement does until its cache expires).
 */
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import type { Db, Document } from "mongodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAuditLog } from "../../shared/audit/audit-log.ts";
import { awsClientConfig, createAwsClients, type AwsClients } from "../../shared/aws/clients.ts";
import type { ObjectPlacement } from "../../shared/aws/encryption.ts";
import { createS3Store, type BlobStore } from "../../shared/aws/s3.ts";
import { createS3ObjectPort } from "../../shared/aws/s3-object-mover.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { newQueuedJob } from "../../shared/jobs/job-doc.ts";
import { createJobStore } from "../../shared/jobs/job-store.ts";
import type { MongoHandle } from "../../shared/mongo/client.ts";
import { COLLECTIONS, TENANT_DATA_COLLECTIONS } from "../../shared/mongo/collections.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { createPayloadStore } from "../../shared/payloads/payload-store.ts";
import { otherMoveBucket } from "../../shared/moves/move-record.ts";
import { scopedCollection } from "../../shared/tenancy/scoped-collection.ts";
import { jobKey } from "../../shared/tenancy/keys.ts";
import { createPlacementSource, type PlacementSource } from "../../shared/tenancy/storage-placement.ts";
import { tenantId, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import { tenantsCommand } from "../../scheduler/cli/tenants.ts";
import {
  abortMove,
  planMove,
  readMove,
  runMove,
  stepMove,
  type MoveDeps,
} from "../../scheduler/moves/tenant-move.ts";
import { emptyAndDeleteBucket } from "./helpers/aws.ts";
import { testConfig, uniqueName } from "./helpers/env.ts";
import { insertTenantDoc } from "../support/tenant-seed.ts";
import { testDatabase } from "./helpers/mongo.ts";

const acme = tenantId("acme");
const globex = tenantId("globex");
const ops = { kind: "os" as const, subject: "ops" };

let clients: AwsClients;
let kms: KMSClient;
let mongo: MongoHandle;
let shared: Db;
let drop: () => Promise<void>;
let dedicatedName: string;
let placements: PlacementSource;
/** What a freshly started process sees: the placement its tenant document names now. */
let blobs: BlobStore;
let newKey: string;
let lines: string[];
const fleetBucket = uniqueName("objmove");
const ownBucket = uniqueName("objown");

const staleStore = (where: ObjectPlacement) =>
  createS3Store(clients.s3, fleetBucket, { placement: () => where });

beforeAll(async () => {
  const config = testConfig();
  clients = createAwsClients(config.aws);
  kms = new KMSClient(awsClientConfig(config.aws));
  ({ mongo, db: shared, drop } = await testDatabase("objmove"));
  dedicatedName = `${shared.databaseName}_acme`.slice(0, 63);
  await ensureIndexes(shared);
  newKey = (await kms.send(new CreateKeyCommand({ Description: "acme's own" }))).KeyMetadata!.Arn!;
  placements = createPlacementSource(shared.collection(COLLECTIONS.tenants), { fleetBucket, ttlMs: 60_000 });
  blobs = createS3Store(clients.s3, fleetBucket, { placement: (t) => placements.placementOf(t) });
  await blobs.ensureBucket();
  await clients.s3.send(new CreateBucketCommand({ Bucket: ownBucket }));
});
afterAll(async () => {
  for (const b of [fleetBucket, ownBucket]) await emptyAndDeleteBucket(clients.s3, b);
  await mongo.client
    .db(dedicatedName)
    .dropDatabase()
    .catch(() => undefined);
  await drop();
  kms.destroy();
  clients.destroy();
});

function deps(overrides: Partial<MoveDeps> = {}): MoveDeps {
  return {
    sharedDb: shared,
    openHome: async (home) => ({ db: mongo.client.db(home.database), close: async () => undefined }),
    audit: createAuditLog(shared),
    now: Date.now,
    sleep: async () => undefined,
    graceMs: 0,
    progress: (l) => lines.push(l),
    onSwitch: (t) => placements.invalidate(t),
    objects: { port: createS3ObjectPort(clients.s3), fleetBucket, concurrency: 4 },
    ...overrides,
  };
}

async function keysIn(bucket: string, tenant: TenantId): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const r = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `tenants/${tenant}/`, ContinuationToken: token }),
    );
    out.push(...(r.Contents ?? []).map((o) => o.Key!));
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out.sort();
}

interface Seeded {
  jobs: string[];
  /** key → content, every object the tenant has. */
  objects: Map<string, string>;
}

/** A tenant with `n` jobs, each with an input and an output object, plus payload-store payloads. */
async function seed(tenant: TenantId, n: number, storage?: Document): Promise<Seeded> {
  await insertTenantDoc(shared, tenant, 1, storage !== undefined ? { storage } : {});
  placements.invalidate(tenant);
  const store = createJobStore(scopedCollection(shared.collection(COLLECTIONS.jobs), tenant, shared));
  const payloads = createPayloadStore(blobs, 16, () => `p${Math.random().toString(36).slice(2)}`);
  const seeded: Seeded = { jobs: [], objects: new Map() };
  for (let i = 0; i < n; i += 1) {
    const id = newJobId(Date.now() + i);
    seeded.jobs.push(id);
    const input = JSON.stringify({ i, text: "x".repeat(i * 7) });
    const { key } = await blobs.put(tenant, jobKey(tenant, id, "input.json"), input);
    seeded.objects.set(key, input);
    await store.create(
      newQueuedJob(
        {
          jobId: id,
          tenantId: tenant,
          idempotencyKey: `k-${i}`,
          workflow: { name: "hello", version: "v1" },
          input: { inline: { inputKey: key } },
        },
        Date.now(),
      ),
    );
    if (i % 2 === 0) {
      const output = JSON.stringify({ done: i });
      const put = await blobs.put(tenant, jobKey(tenant, id, "output.json"), output);
      seeded.objects.set(put.key, output);
      const stored = await payloads.store(tenant, id, "result", { long: "y".repeat(40 + i) });
      if (!("s3" in stored)) throw new Error("expected a stored payload");
      seeded.objects.set(stored.s3.key, JSON.stringify({ long: "y".repeat(40 + i) }));
    }
  }
  return seeded;
}

async function expectAllIn(tenant: TenantId, objects: Map<string, string>, bucket: string, key?: string) {
  placements.invalidate(tenant);
  expect(await keysIn(bucket, tenant)).toEqual([...objects.keys()].sort());
  for (const [k, content] of objects) {
    expect(await blobs.getString(tenant, k as never)).toBe(content);
    const h = await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: k }));
    if (key !== undefined) {
      expect(h.ServerSideEncryption).toBe("aws:kms");
      expect(h.SSEKMSKeyId).toBe(key);
    } else expect(h.ServerSideEncryption).toBe("AES256");
  }
}

beforeEach(async () => {
  lines = [];
  for (const name of [
    ...TENANT_DATA_COLLECTIONS,
    COLLECTIONS.tenants,
    COLLECTIONS.tenantMoves,
    COLLECTIONS.audit,
  ])
    await shared.collection(name).deleteMany({});
  await mongo.client
    .db(dedicatedName)
    .dropDatabase()
    .catch(() => undefined);
  for (const b of [fleetBucket, ownBucket])
    for (const t of [acme, globex, tenantId("fresh")])
      for (const k of await keysIn(b, t)) await staleStore({ bucket: b }).delete(t, k as never);
  placements.invalidate(acme);
});

describe("a move carries the tenant's objects", () => {
  it("promote --bucket --kms-key while a job runs on the old placement; then demote back to the fleet bucket", async () => {
    const a = await seed(acme, 12);
    const g = await seed(globex, 3);
    const running = a.jobs[1]!;
    // A worker that resolved acme's placement before the move (its cache still names the fleet bucket).
    const stale = staleStore({ bucket: fleetBucket });

    await planMove(deps(), {
      tenant: acme,
      direction: "promote",
      database: dedicatedName,
      bucket: ownBucket,
      kmsKeyId: newKey,
      actor: ops,
    });
    await stepMove(deps(), acme); // fence
    await stepMove(deps(), acme); // copy (documents and objects)
    expect((await readMove(shared, acme))?.phase).toBe("copied");
    // The running job writes a checkpoint object to the old placement after the copy...
    const mid = await stale.put(acme, jobKey(acme, running, "step-1.json"), '{"step":1}');
    a.objects.set(mid.key, '{"step":1}');
    await stepMove(deps(), acme); // verify: catches it up first
    await stepMove(deps(), acme); // switch
    expect((await readMove(shared, acme))?.phase).toBe("switched");
    // ...and its output after the switch, its placement cache not expired yet.
    const late = await stale.put(acme, jobKey(acme, running, "output.json"), '{"late":true}');
    a.objects.set(late.key, '{"late":true}');
    // Until the drain copies it, it is only in the old bucket: a process on the new placement finds it
    // there because its reads fall back to the move's other bucket (the runtime's store does this).
    placements.invalidate(acme);
    await expect(blobs.getString(acme, late.key)).rejects.toThrow();
    const aware = createS3Store(clients.s3, fleetBucket, {
      placement: (t) => placements.placementOf(t),
      duringMove: (t, missedIn) => otherMoveBucket(shared, t, missedIn, fleetBucket),
    });
    expect(await aware.getString(acme, late.key)).toBe('{"late":true}');
    expect((await aware.head(acme, late.key))?.size).toBe(13);
    // And a process still on the old placement reads what a process on the new one wrote there.
    const fresh = await blobs.put(acme, jobKey(acme, a.jobs[3]!, "output-2.json"), '{"fresh":1}');
    a.objects.set(fresh.key, '{"fresh":1}');
    const staleAware = createS3Store(clients.s3, fleetBucket, {
      placement: () => ({ bucket: fleetBucket }),
      duringMove: (t, missedIn) => otherMoveBucket(shared, t, missedIn, fleetBucket),
    });
    expect(await staleAware.getString(acme, fresh.key)).toBe('{"fresh":1}');
    const rec = await runMove(deps(), acme);

    expect(rec.phase).toBe("done");
    expect(rec.objects?.verified?.count).toBe(a.objects.size - 2); // the late and fresh outputs came after it
    expect(rec.objects?.late).toBeGreaterThanOrEqual(2);
    expect(rec.objects?.deleted).toBe(a.objects.size - 1); // the fresh output was never in the old bucket
    await expectAllIn(acme, a.objects, ownBucket, newKey);
    expect(await keysIn(fleetBucket, acme)).toEqual([]);
    expect(await blobs.placementOf(acme)).toEqual({ bucket: ownBucket, kmsKeyId: newKey });
    // Every job's input (named in its document, now in the dedicated database) reads back.
    const jobs = await mongo.client
      .db(dedicatedName)
      .collection(COLLECTIONS.jobs)
      .find({ tenantId: acme })
      .toArray();
    expect(jobs).toHaveLength(12);
    for (const j of jobs) {
      const key = (j["input"] as { inline: { inputKey: string } }).inline.inputKey;
      expect(await blobs.getString(acme, key as never)).toBe(a.objects.get(key));
    }
    // The other tenant never moved.
    await expectAllIn(globex, g.objects, fleetBucket);
    const audit = await createAuditLog(shared).list(acme);
    expect(audit[0]?.after).toMatchObject({ storage: { bucket: ownBucket, kmsKeyId: newKey } });

    // Back: demote moves the objects to the fleet bucket and its default encryption.
    await planMove(deps(), { tenant: acme, direction: "demote", actor: ops });
    const back = await runMove(deps(), acme);
    expect(back.objects?.deleted).toBe(a.objects.size);
    await expectAllIn(acme, a.objects, fleetBucket);
    expect(await keysIn(ownBucket, acme)).toEqual([]);
    const doc = await shared.collection(COLLECTIONS.tenants).findOne({ tenantId: acme });
    expect(doc?.["tier"]).toBe("shared");
    expect(doc?.["storage"]).toBeUndefined();
  }, 120_000);

  it("a move killed after the object copy and run again ends the same", async () => {
    const a = await seed(acme, 8);
    await planMove(deps(), {
      tenant: acme,
      direction: "promote",
      database: dedicatedName,
      bucket: ownBucket,
      kmsKeyId: newKey,
      actor: ops,
    });
    await stepMove(deps(), acme);
    await stepMove(deps(), acme);
    expect((await readMove(shared, acme))?.phase).toBe("copied");
    expect(await keysIn(ownBucket, acme)).toHaveLength(a.objects.size);
    // The mover dies here; an operator runs the same command again (a new process).
    const rec = await runMove(deps({ objects: { port: createS3ObjectPort(clients.s3), fleetBucket } }), acme);
    expect(rec.phase).toBe("done");
    expect(rec.objects?.verified?.count).toBe(a.objects.size);
    await expectAllIn(acme, a.objects, ownBucket, newKey);
    expect(await keysIn(fleetBucket, acme)).toEqual([]);
  }, 60_000);

  it("--abort before the switch deletes the copies; the tenant keeps its placement and documents", async () => {
    const a = await seed(acme, 6);
    await planMove(deps(), {
      tenant: acme,
      direction: "promote",
      bucket: ownBucket,
      kmsKeyId: newKey,
      actor: ops,
    });
    for (let i = 0; i < 3; i += 1) await stepMove(deps(), acme);
    expect((await readMove(shared, acme))?.phase).toBe("verified");
    expect(await keysIn(ownBucket, acme)).toHaveLength(a.objects.size);
    const rec = await abortMove(deps(), acme);
    expect(rec.phase).toBe("aborted");
    expect(await keysIn(ownBucket, acme)).toEqual([]);
    await expectAllIn(acme, a.objects, fleetBucket);
    const doc = await shared.collection(COLLECTIONS.tenants).findOne({ tenantId: acme });
    expect(doc?.["tier"]).toBe("shared");
    expect(doc?.["storage"]).toBeUndefined();
    expect(await shared.collection(COLLECTIONS.jobs).countDocuments({ tenantId: acme })).toBe(6);
  }, 60_000);

  it("a dedicated tenant gets its own bucket and key by `tenants promote --bucket --kms-key` (objects only)", async () => {
    const a = await seed(acme, 5);
    await shared
      .collection(COLLECTIONS.tenants)
      .updateOne({ tenantId: acme }, { $set: { tier: "dedicated", storage: { database: dedicatedName } } });
    placements.invalidate(acme);
    const out: string[] = [];
    const code = await tenantsCommand(
      ["promote", "acme", "--to", "dedicated", "--bucket", ownBucket, "--kms-key", newKey, "--grace-ms", "0"],
      {
        db: shared,
        blobs,
        objects: { port: createS3ObjectPort(clients.s3), fleetBucket, signedUrlTtlMs: 300_000 },
        out: (t) => out.push(t),
        err: (t) => lines.push(t),
        actor: ops,
      },
    );
    expect(code, lines.join("\n")).toBe(0);
    // A grace shorter than the placement cache plus the API's URL lifetime is allowed, with a warning.
    expect(lines.join("\n")).toContain(
      "--grace-ms 0 is shorter than the placement cache (30000 ms) plus the API's signed URL lifetime (300000 ms)",
    );
    expect(out.join("\n")).toContain(`objects: ${a.objects.size} verified in bucket ${ownBucket}`);
    await expectAllIn(acme, a.objects, ownBucket, newKey);
    expect(await keysIn(fleetBucket, acme)).toEqual([]);
    const doc = await shared.collection(COLLECTIONS.tenants).findOne({ tenantId: acme });
    expect(doc?.["storage"]).toEqual({ database: dedicatedName, bucket: ownBucket, kmsKeyId: newKey });
  }, 60_000);

  it("`tenants set` refuses a placement edit while the tenant has objects, and allows it for a new tenant", async () => {
    await seed(acme, 2);
    const errs: string[] = [];
    const run = (args: string[]) =>
      tenantsCommand(["set", ...args], {
        db: shared,
        blobs,
        out: () => undefined,
        err: (t) => errs.push(t),
        actor: ops,
      });
    expect(await run(["acme", `storage.bucket=${ownBucket}`])).toBe(1);
    expect(errs.join("\n")).toContain(`sluice tenants promote acme --to dedicated --bucket`);
    expect(await run(["acme", `storage.kmsKeyId=${newKey}`])).toBe(1);
    const doc = await shared.collection(COLLECTIONS.tenants).findOne({ tenantId: acme });
    expect(doc?.["storage"]).toBeUndefined();
    // Other fields still edit.
    expect(await run(["acme", "weight=2"])).toBe(0);
    // A tenant without objects (a new one) may be given its bucket directly.
    await seed(tenantId("fresh"), 0);
    expect(
      await run(["fresh", `storage.bucket=${ownBucket}`, `storage.kmsKeyId=${newKey}`]),
      errs.join("\n"),
    ).toBe(0);
    const fresh = await shared.collection(COLLECTIONS.tenants).findOne({ tenantId: "fresh" });
    expect((fresh?.["storage"] as Document | undefined)?.["bucket"]).toBe(ownBucket);
  }, 60_000);
});

describe("the S3 object port", () => {
  it("a copy whose source was deleted since the listing is skipped (false); a missing bucket still fails", async () => {
    const port = createS3ObjectPort(clients.s3);
    const key = jobKey(acme, newJobId(Date.now()), "execution", "1.json");
    await clients.s3.send(new PutObjectCommand({ Bucket: fleetBucket, Key: key, Body: "{}" }));
    expect(await port.copy(acme, key, fleetBucket, { bucket: ownBucket }, undefined)).toBe(true);
    await clients.s3.send(new DeleteObjectCommand({ Bucket: fleetBucket, Key: key }));
    // A running job replaced its checkpoint between the mover's listing and its copy.
    expect(await port.copy(acme, key, fleetBucket, { bucket: ownBucket }, undefined)).toBe(false);
    await expect(
      port.copy(acme, key, uniqueName("nobucket"), { bucket: ownBucket }, undefined),
    ).rejects.toThrow(/NoSuch(Bucket|Key)|NotFound|not exist/);
    await clients.s3.send(new DeleteObjectCommand({ Bucket: ownBucket, Key: key }));
  });
});
