import { describe, expect, it } from "vitest";
import {
  bucketEncryption,
  putEncryption,
  queueEncryption,
  SIGNED_ENCRYPTION_HEADERS,
  uploadHeaders,
} from "../../../shared/aws/encryption.ts";
import { placementFrom, TenantStorageError } from "../../../shared/tenancy/storage-placement.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const acme = tenantId("acme");

describe("encryption parameters", () => {
  it("a tenant key means SSE-KMS with that key on puts and signed upload headers; none means the bucket default", () => {
    expect(putEncryption({ bucket: "b", kmsKeyId: key })).toEqual({
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: key,
    });
    expect(putEncryption({ bucket: "b" })).toEqual({});
    const headers = uploadHeaders({ bucket: "b", kmsKeyId: key });
    expect(Object.keys(headers).every((h) => SIGNED_ENCRYPTION_HEADERS.has(h))).toBe(true);
    expect(headers["x-amz-server-side-encryption-aws-kms-key-id"]).toBe(key);
    expect(uploadHeaders({ bucket: "b" })).toEqual({});
  });

  it("bucket default: SSE-S3 without a fleet key, SSE-KMS with bucket keys with one", () => {
    expect(bucketEncryption(undefined).Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe(
      "AES256",
    );
    expect(bucketEncryption(key).Rules?.[0]).toEqual({
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: key },
      BucketKeyEnabled: true,
    });
  });

  it("queues: SQS-managed SSE, or KMS with the fleet key", () => {
    expect(queueEncryption(undefined)).toEqual({ SqsManagedSseEnabled: "true" });
    expect(queueEncryption(key)).toMatchObject({ KmsMasterKeyId: key });
  });
});

describe("placementFrom (the tenant document's storage)", () => {
  it("fleet bucket and default encryption unless storage names a bucket or key", () => {
    expect(placementFrom("fleet", acme, undefined)).toEqual({ bucket: "fleet" });
    expect(placementFrom("fleet", acme, null)).toEqual({ bucket: "fleet" });
    expect(placementFrom("fleet", acme, { database: "sluice_t_acme" })).toEqual({ bucket: "fleet" });
    expect(placementFrom("fleet", acme, { bucket: "acme-data", kmsKeyId: key })).toEqual({
      bucket: "acme-data",
      kmsKeyId: key,
    });
  });

  it("an invalid storage is refused, never silently replaced by the fleet bucket or no key", () => {
    expect(() => placementFrom("fleet", acme, { kmsKeyId: "not a key" })).toThrow(TenantStorageError);
    expect(() => placementFrom("fleet", acme, { bucket: "Bad_Bucket" })).toThrow(/storage\.bucket/);
  });
});
