import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, GetBucketEncryptionCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { randomUUID } from "node:crypto";
import type { Db } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClientConfig, createAwsClients, type AwsClients } from "../../shared/aws/clients.ts";
import { uploadHeaders } from "../../shared/aws/encryption.ts";
import { createS3Store, type BlobStore } from "../../shared/aws/s3.ts";
import { createSqsAdapter } from "../../shared/aws/sqs.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { createPayloadStore } from "../../shared/payloads/payload-store.ts";
import { jobKey, uploadKey } from "../../shared/tenancy/keys.ts";
import { createPlacementSource } from "../../shared/tenancy/storage-placement.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { rejectToDlq } from "../../scheduler/intake/reject.ts";
import { emptyAndDeleteBucket } from "./helpers/aws.ts";
import { testConfig, uniqueName } from "./helpers/env.ts";
import { testDatabase } from "./helpers/mongo.ts";

const keyed = tenantId("keyed");
const plain = tenantId("plain");
const walled = tenantId("walled");

/**
 * Encryption at rest on the local stack (ADR 0022). LocalStack's S3 does not check that a KMS key
 * exists (a made-up key ARN is accepted), so these tests read back what S3 recorded with HeadObject:
 * `ServerSideEncryption` and `SSEKMSKeyId`. The keys themselves are real LocalStack KMS keys.
 */
describe("encryption at rest (LocalStack S3, SQS, KMS)", () => {
  let clients: AwsClients;
  let kms: KMSClient;
  let sqs: SqsPort;
  let db: Db;
  let drop: () => Promise<void>;
  let store: BlobStore;
  let tenantKeyArn: string;
  let fleetKeyArn: string;
  const bucket = uniqueName("enc");
  const ownBucket = uniqueName("encown");
  const keyBucket = uniqueName("enckey");
  const prefix = uniqueName("enc");
  const queueUrls: string[] = [];

  const head = (b: string, key: string) => clients.s3.send(new HeadObjectCommand({ Bucket: b, Key: key }));

  beforeAll(async () => {
    const config = testConfig();
    clients = createAwsClients(config.aws);
    kms = new KMSClient(awsClientConfig(config.aws));
    sqs = createSqsAdapter(clients.sqs);
    const t = await testDatabase("enc");
    db = t.db;
    drop = t.drop;
    tenantKeyArn = (await kms.send(new CreateKeyCommand({ Description: "tenant keyed" }))).KeyMetadata!.Arn!;
    fleetKeyArn = (await kms.send(new CreateKeyCommand({ Description: "fleet" }))).KeyMetadata!.Arn!;
    await db
      .collection(COLLECTIONS.tenants)
      .insertMany([
        { tenantId: keyed, storage: { kmsKeyId: tenantKeyArn } },
        { tenantId: plain },
        { tenantId: walled, storage: { bucket: ownBucket } },
      ]);
    const placements = createPlacementSource(db.collection(COLLECTIONS.tenants), { fleetBucket: bucket });
    store = createS3Store(clients.s3, bucket, { placement: (x) => placements.placementOf(x) });
    await store.ensureBucket();
    await clients.s3.send(new CreateBucketCommand({ Bucket: ownBucket }));
  });

  afterAll(async () => {
    for (const url of queueUrls) await sqs.deleteQueue(url);
    for (const b of [bucket, ownBucket, keyBucket]) await emptyAndDeleteBucket(clients.s3, b);
    await drop();
    kms.destroy();
    clients.destroy();
  });

  it("objects of a tenant with a key carry that key; others carry the bucket default (SSE-S3)", async () => {
    const a = await store.putJson(keyed, ["notes", "a.json"], { a: 1 });
    const b = await store.putJson(plain, ["notes", "b.json"], { b: 1 });
    const ha = await head(bucket, a.key);
    expect(ha.ServerSideEncryption).toBe("aws:kms");
    expect(ha.SSEKMSKeyId).toBe(tenantKeyArn);
    const hb = await head(bucket, b.key);
    expect(hb.ServerSideEncryption).toBe("AES256");
    expect(hb.SSEKMSKeyId).toBeUndefined();
    expect(await store.getJson(keyed, a.key)).toEqual({ a: 1 });

    // The payload store (claim-checked inputs, outputs, step results) writes through the same store.
    const payloads = createPayloadStore(store, 16, randomUUID);
    const stored = await payloads.store(keyed, "job-1", "input", { big: "x".repeat(100) });
    if (!("s3" in stored)) throw new Error("expected a stored payload");
    const hp = await head(bucket, stored.s3.key);
    expect(hp.SSEKMSKeyId).toBe(tenantKeyArn);
    expect(await payloads.load(keyed, stored)).toEqual({ big: "x".repeat(100) });
  });

  it("ensureBucket sets the bucket's default encryption: SSE-S3, or SSE-KMS with the fleet key", async () => {
    const enc = await clients.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: "AES256",
    });
    const withKey = createS3Store(clients.s3, keyBucket, { defaultKmsKeyId: fleetKeyArn });
    expect(await withKey.ensureBucket()).toEqual({ created: true });
    const enc2 = await clients.s3.send(new GetBucketEncryptionCommand({ Bucket: keyBucket }));
    expect(enc2.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: "aws:kms",
      KMSMasterKeyID: fleetKeyArn,
    });
    // An object written without a tenant key gets the fleet key from the bucket default.
    const { key } = await withKey.put(plain, ["x.txt"], "x");
    const h = await head(keyBucket, key);
    expect(h.ServerSideEncryption).toBe("aws:kms");
    expect(h.SSEKMSKeyId).toBe(fleetKeyArn);
  });

  it("a tenant with its own bucket gets its objects there, under tenants/<tenant>/, and reads find them", async () => {
    const put = await store.put(walled, jobKey(walled, "j1", "out.json"), '{"ok":true}');
    expect(put.bucket).toBe(ownBucket);
    expect((await head(ownBucket, "tenants/walled/jobs/j1/out.json")).ContentLength).toBe(11);
    await expect(head(bucket, "tenants/walled/jobs/j1/out.json")).rejects.toThrow();
    expect(await store.getJson(walled, put.key)).toEqual({ ok: true });
    expect((await store.list(walled)).items.map((i) => i.key)).toEqual(["tenants/walled/jobs/j1/out.json"]);
    expect(await store.head(plain, ["jobs", "j1", "out.json"])).toBeUndefined();
  });

  it("a rejected intake body too large for its DLQ copy is stored encrypted and referenced in the tenant's bucket", async () => {
    const sent: { body: string }[] = [];
    const fakeSqs = {
      send: async (_url: string, m: { body: string }) => {
        sent.push(m);
        return { messageId: "m" };
      },
      delete: async () => undefined,
    } as unknown as SqsPort;
    const big = "y".repeat(300_000);
    const msg = {
      messageId: "big-1",
      receiptHandle: "r",
      body: big,
      attributes: {},
      receiveCount: 1,
      sentAt: 0,
    };
    const from = { queueUrl: "q", queueName: "n", dlqUrl: "d" };
    await rejectToDlq({ sqs: fakeSqs, blobs: store }, walled, from, msg, "too big");
    await rejectToDlq({ sqs: fakeSqs, blobs: store }, keyed, from, msg, "too big");
    const refs = sent.map(
      (m) => (JSON.parse(m.body) as { bodyRef: { bucket: string; key: string } }).bodyRef,
    );
    expect(refs[0]).toMatchObject({ bucket: ownBucket, key: "tenants/walled/intake-rejected/big-1" });
    expect(refs[1]).toMatchObject({ bucket, key: "tenants/keyed/intake-rejected/big-1" });
    expect((await head(bucket, refs[1]!.key)).SSEKMSKeyId).toBe(tenantKeyArn);
  });

  it("a presigned upload must send the tenant's encryption headers: without them S3 refuses it", async () => {
    const key = uploadKey(keyed, "doc.pdf");
    const url = await store.presignPut(keyed, key, { expiresInSeconds: 60 });
    const bare = await fetch(url, { method: "PUT", body: "pdf" });
    expect(bare.status).toBe(403);
    const other = await fetch(url, {
      method: "PUT",
      body: "pdf",
      headers: { "x-amz-server-side-encryption": "AES256" },
    });
    expect(other.status).toBe(403);
    const placement = await store.placementOf(keyed);
    const ok = await fetch(url, { method: "PUT", body: "pdf", headers: uploadHeaders(placement) });
    expect(ok.status).toBe(200);
    const h = await head(bucket, key);
    expect(h.ServerSideEncryption).toBe("aws:kms");
    expect(h.SSEKMSKeyId).toBe(tenantKeyArn);
  });

  it("queues and their DLQs report SSE on: SQS-managed, or KMS with the fleet key", async () => {
    const managed = await sqs.ensureQueue(`${prefix}-managed`, { dlq: { maxReceiveCount: 3 } });
    const withKey = await sqs.ensureQueue(`${prefix}-kms`, {
      dlq: { maxReceiveCount: 3 },
      kmsKeyId: fleetKeyArn,
    });
    queueUrls.push(managed.url, managed.dlq!.url, withKey.url, withKey.dlq!.url);
    const attrs = async (url: string) =>
      (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })))
        .Attributes ?? {};
    for (const url of [managed.url, managed.dlq!.url]) {
      expect((await attrs(url)).SqsManagedSseEnabled).toBe("true");
    }
    for (const url of [withKey.url, withKey.dlq!.url]) {
      expect((await attrs(url)).KmsMasterKeyId).toBe(fleetKeyArn);
    }
  });
});
