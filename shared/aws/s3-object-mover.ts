/**
 * The S3 side of a tenant move (docs/adr/0022-encryption-and-least-privilege.md, "Moving objects"):
 * a thin adapter over the S3 client for the operator's mover, which works on two placements at once
 * (the blob store is scoped to one tenant's *current* placement, so it cannot). Every key it lists,
 * copies or deletes is under the tenant's prefix (`tenantPrefix` / `assertKeyBelongsToTenant`).
 *
 * Operator-only: no part (scheduler, worker, api) imports it, so it needs no place in their IAM
 * policies; the drift test (test/unit/iam/policy-drift.test.ts) checks both that it is the only
 * other module sending S3 commands and that no part's import closure reaches it.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { awsCall, isAwsError } from "./errors.ts";
import { putEncryption, type ObjectPlacement } from "./encryption.ts";
import { assertKeyBelongsToTenant, isTenantKey, tenantPrefix } from "../tenancy/keys.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: number;
}

export interface HeadInfo {
  readonly size: number;
  readonly lastModified: number;
  /** `aws:kms`, `AES256`, or undefined. */
  readonly sse: string | undefined;
  /** The KMS key S3 recorded (an ARN), for SSE-KMS objects. */
  readonly kmsKeyId: string | undefined;
  readonly contentType: string | undefined;
  readonly metadata: Record<string, string>;
}

/** What the mover needs from S3. Every method is scoped to `tenant`'s prefix. */
export interface ObjectPort {
  bucketExists(bucket: string): Promise<boolean>;
  list(tenant: TenantId, bucket: string): AsyncIterable<ListedObject>;
  head(tenant: TenantId, bucket: string, key: string): Promise<HeadInfo | undefined>;
  /**
   * Copies `key` from `fromBucket` into `to` (same key), written with `to`'s encryption (its KMS
   * key, else the bucket default). Within one bucket the copy replaces the object with itself
   * (metadata restated from `source`), which re-encrypts it. False when the source is gone (deleted
   * since it was listed, e.g. a checkpoint its job replaced): there is nothing to move.
   */
  copy(
    tenant: TenantId,
    key: string,
    fromBucket: string,
    to: ObjectPlacement,
    source: HeadInfo | undefined,
  ): Promise<boolean>;
  delete(tenant: TenantId, bucket: string, key: string): Promise<void>;
}

const call = <T>(context: string, fn: () => Promise<T>) => awsCall("s3", context, fn);

export function createS3ObjectPort(client: S3Client): ObjectPort {
  return {
    async bucketExists(bucket) {
      try {
        await call(`head bucket ${bucket}`, () => client.send(new HeadBucketCommand({ Bucket: bucket })));
        return true;
      } catch (err) {
        if (isAwsError(err, "NotFound")) return false;
        throw err;
      }
    },

    async *list(tenant, bucket) {
      const prefix = tenantPrefix(tenant);
      let token: string | undefined;
      do {
        const res = await call(`list ${bucket}/${prefix}`, () =>
          client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
        );
        for (const o of res.Contents ?? []) {
          if (o.Key === undefined || !isTenantKey(o.Key, tenant)) continue;
          yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? 0 };
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token !== undefined);
    },

    async head(tenant, bucket, key) {
      const k = assertKeyBelongsToTenant(key, tenant);
      try {
        const res = await call(`head ${bucket}/${k}`, () =>
          client.send(new HeadObjectCommand({ Bucket: bucket, Key: k })),
        );
        return {
          size: res.ContentLength ?? 0,
          lastModified: res.LastModified?.getTime() ?? 0,
          sse: res.ServerSideEncryption,
          kmsKeyId: res.SSEKMSKeyId,
          contentType: res.ContentType,
          metadata: res.Metadata ?? {},
        };
      } catch (err) {
        if (isAwsError(err, "NotFound")) return undefined;
        throw err;
      }
    },

    async copy(tenant, key, fromBucket, to, source) {
      const k = assertKeyBelongsToTenant(key, tenant);
      const inPlace = fromBucket === to.bucket;
      const copying = call(`copy ${fromBucket}/${k} to ${to.bucket}`, () =>
        client.send(
          new CopyObjectCommand({
            Bucket: to.bucket,
            Key: k,
            CopySource: `${fromBucket}/${k.split("/").map(encodeURIComponent).join("/")}`,
            ...putEncryption(to),
            // In place S3 requires a change; restating the metadata is one (and keeps it).
            ...(inPlace
              ? {
                  MetadataDirective: "REPLACE" as const,
                  Metadata: source?.metadata ?? {},
                  ...(source?.contentType !== undefined ? { ContentType: source.contentType } : {}),
                }
              : {}),
          }),
        ),
      );
      try {
        await copying;
        return true;
      } catch (err) {
        // The source key only: a missing destination bucket (NoSuchBucket) is an error.
        if (isAwsError(err, "NotFound") && err.awsName === "NoSuchKey") return false;
        throw err;
      }
    },

    async delete(tenant, bucket, key) {
      const k = assertKeyBelongsToTenant(key, tenant);
      await call(`delete ${bucket}/${k}`, () =>
        client.send(new DeleteObjectCommand({ Bucket: bucket, Key: k })),
      );
    },
  };
}
