import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createAwsClients, type AwsClients } from "../../shared/aws/clients.ts";
import { AwsAdapterError } from "../../shared/aws/errors.ts";
import { createS3Store, type BlobStore } from "../../shared/aws/s3.ts";
import { assertKeyBelongsToTenant, jobKey, tenantKey, TenantKeyError } from "../../shared/tenancy/keys.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { emptyAndDeleteBucket } from "./helpers/aws.ts";
import { testConfig, uniqueName } from "./helpers/env.ts";

const acme = tenantId("acme");
const globex = tenantId("globex");

describe("S3 adapter (LocalStack)", () => {
  let clients: AwsClients;
  let store: BlobStore;
  const bucket = uniqueName("s3");

  beforeAll(async () => {
    clients = createAwsClients(testConfig().aws);
    store = createS3Store(clients.s3, bucket, { presignClient: clients.s3Presign });
  });
  afterAll(async () => {
    await emptyAndDeleteBucket(clients.s3, bucket);
    clients.destroy();
  });

  it("ensureBucket is idempotent", async () => {
    expect(await store.ensureBucket()).toEqual({ created: true });
    expect(await store.ensureBucket()).toEqual({ created: false });
  });

  it("puts and gets bytes, strings and JSON under tenants/<tenant>/", async () => {
    const { key } = await store.put(acme, ["jobs", "j1", "input.bin"], Buffer.from([0, 1, 2, 255]), {
      contentType: "application/octet-stream",
      metadata: { origin: "test" },
    });
    expect(key).toBe("tenants/acme/jobs/j1/input.bin");
    expect([...(await store.getBuffer(acme, key))]).toEqual([0, 1, 2, 255]);

    await store.put(acme, ["notes.txt"], "héllo");
    expect(await store.getString(acme, ["notes.txt"])).toBe("héllo");

    await store.putJson(acme, jobKey(acme, "j1", "result.json"), { ok: true, n: 3 });
    expect(await store.getJson(acme, jobKey(acme, "j1", "result.json"))).toEqual({ ok: true, n: 3 });
    const schema = z.object({ ok: z.boolean(), n: z.number() });
    expect(await store.getJson(acme, jobKey(acme, "j1", "result.json"), schema)).toEqual({ ok: true, n: 3 });
    await expect(
      store.getJson(acme, jobKey(acme, "j1", "result.json"), z.object({ missing: z.string() })),
    ).rejects.toMatchObject({ code: "InvalidInput" });
  });

  it("heads an object, and returns undefined for a missing one", async () => {
    const info = await store.head(acme, ["jobs", "j1", "input.bin"]);
    expect(info).toMatchObject({
      key: "tenants/acme/jobs/j1/input.bin",
      size: 4,
      metadata: { origin: "test" },
    });
    expect(info?.contentType).toBe("application/octet-stream");
    expect(await store.head(acme, ["nope"])).toBeUndefined();
  });

  it("get of a missing object is a NotFound AwsAdapterError", async () => {
    const e = await store.getString(acme, ["missing.txt"]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AwsAdapterError);
    expect(e).toMatchObject({ code: "NotFound", retryable: false, service: "s3" });
  });

  it("lists only the tenant's keys, page by page", async () => {
    for (let i = 0; i < 5; i++) await store.put(globex, ["batch", `k${i}`], `v${i}`);
    await store.put(tenantId("globexx"), ["batch", "other"], "must not show");
    const first = await store.list(globex, { under: ["batch"], pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextPageToken).toBeDefined();
    const all: string[] = [];
    for await (const o of store.listAll(globex, { pageSize: 2 })) all.push(o.key);
    expect(all.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `tenants/globex/batch/k${i}`));
  });

  it("refuses keys of another tenant and malformed parts before any request", async () => {
    const foreign = tenantKey(globex, "batch", "k0");
    await expect(store.getString(acme, foreign)).rejects.toBeInstanceOf(TenantKeyError);
    await expect(store.put(acme, ["..", "globex", "x"], "x")).rejects.toBeInstanceOf(TenantKeyError);
    await expect(store.put(acme, ["a/b"], "x")).rejects.toBeInstanceOf(TenantKeyError);
  });

  it("deletes idempotently", async () => {
    await store.put(acme, ["tmp.txt"], "x");
    await store.delete(acme, ["tmp.txt"]);
    await store.delete(acme, ["tmp.txt"]);
    expect(await store.head(acme, ["tmp.txt"])).toBeUndefined();
  });

  it("a presigned PUT uploads and a presigned GET downloads, via fetch", async () => {
    const key = jobKey(acme, "j2", "upload.json");
    const putUrl = await store.presignPut(acme, key, {
      contentType: "application/json",
      expiresInSeconds: 60,
    });
    expect(putUrl).toContain(`/${bucket}/tenants/acme/jobs/j2/upload.json?`);
    const put = await fetch(putUrl, {
      method: "PUT",
      body: '{"uploaded":true}',
      headers: { "content-type": "application/json" },
    });
    expect(put.status).toBe(200);
    expect(await store.getJson(acme, key)).toEqual({ uploaded: true });

    const getUrl = await store.presignGet(acme, key, { expiresInSeconds: 60 });
    const got = await fetch(getUrl);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ uploaded: true });

    // A key from outside is accepted only once checked against the tenant.
    const checked = assertKeyBelongsToTenant(`tenants/acme/jobs/j2/upload.json`, acme);
    expect(await store.getJson(acme, checked)).toEqual({ uploaded: true });
  });

  it("a presigned PUT carries no SDK checksum: a plain HTTP PUT of a file (like curl -T) uploads it", async () => {
    const bytes = Buffer.from("a file uploaded without any SDK\n");
    const url = await store.presignPut(acme, ["uploads", "plain.txt"], {
      contentLength: bytes.length,
      expiresInSeconds: 60,
    });
    // The SDK's default would put the CRC32 of an empty body here (x-amz-checksum-crc32=AAAAAA==),
    // which S3 checks against the uploaded bytes (LocalStack does not).
    const params = [...new URL(url).searchParams.keys()].map((k) => k.toLowerCase());
    expect(
      params.filter((k) => k.startsWith("x-amz-checksum") || k.startsWith("x-amz-sdk-checksum")),
    ).toEqual([]);
    // What `curl -T file URL` sends: PUT, the body, its Content-Length, nothing else.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: "PUT", headers: { "content-length": bytes.length } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end(bytes);
    });
    expect(status).toBe(200);
    expect(await store.getBuffer(acme, ["uploads", "plain.txt"])).toEqual(bytes);
    const get = await store.presignGet(acme, ["uploads", "plain.txt"], { expiresInSeconds: 60 });
    expect(new URL(get).searchParams.has("x-amz-checksum-mode")).toBe(false);
  });
});
