/**
 * Server-side encryption, in one place (ADR 0022). Pure: what each write or resource carries.
 *
 * - Objects: a tenant with its own KMS key (`storage.kmsKeyId` in its tenant document) gets SSE-KMS
 *   with that key on every PUT, presigned uploads included; any other object gets the bucket's
 *   default encryption, set at provisioning (`bucketEncryption`: SSE-KMS with the fleet key
 *   `SLUICE_KMS_KEY_ID`, else SSE-S3).
 * - Queues: SQS-managed SSE, or SSE-KMS with the fleet key when one is configured.
 */
import type { ServerSideEncryptionConfiguration } from "@aws-sdk/client-s3";

/** Where a tenant's objects go: the bucket, and the KMS key objects are written with (if any). */
export interface ObjectPlacement {
  readonly bucket: string;
  /** Key id, key ARN or alias ARN; absent → the bucket's default encryption applies. */
  readonly kmsKeyId?: string | undefined;
}

/** The encryption parameters of a PutObject for `placement` (none: the bucket default applies). */
export function putEncryption(placement: ObjectPlacement): {
  ServerSideEncryption?: "aws:kms";
  SSEKMSKeyId?: string;
} {
  if (placement.kmsKeyId === undefined) return {};
  return { ServerSideEncryption: "aws:kms", SSEKMSKeyId: placement.kmsKeyId };
}

/**
 * Headers a presigned PUT must carry as signed headers (not query parameters): an upload that
 * leaves them out, or changes them, fails S3's signature check, so the uploader cannot choose the
 * encryption.
 */
export const SIGNED_ENCRYPTION_HEADERS: ReadonlySet<string> = new Set([
  "x-amz-server-side-encryption",
  "x-amz-server-side-encryption-aws-kms-key-id",
]);

/** The headers an uploader must send with a presigned PUT for `placement`. */
export function uploadHeaders(placement: ObjectPlacement): Record<string, string> {
  if (placement.kmsKeyId === undefined) return {};
  return {
    "x-amz-server-side-encryption": "aws:kms",
    "x-amz-server-side-encryption-aws-kms-key-id": placement.kmsKeyId,
  };
}

/** The bucket's default encryption: SSE-KMS with `kmsKeyId` (bucket keys on), else SSE-S3. */
export function bucketEncryption(kmsKeyId: string | undefined): ServerSideEncryptionConfiguration {
  return {
    Rules: [
      kmsKeyId === undefined
        ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }
        : {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: kmsKeyId },
            BucketKeyEnabled: true,
          },
    ],
  };
}

/** How long SQS reuses a data key before asking KMS again (the maximum keeps KMS calls rare). */
export const SQS_KMS_DATA_KEY_REUSE_SECONDS = 86_400;

/** The queue attributes that turn on SSE: SSE-KMS with `kmsKeyId`, else SQS-managed SSE. */
export function queueEncryption(kmsKeyId: string | undefined): Record<string, string> {
  if (kmsKeyId === undefined) return { SqsManagedSseEnabled: "true" };
  return {
    KmsMasterKeyId: kmsKeyId,
    KmsDataKeyReusePeriodSeconds: String(SQS_KMS_DATA_KEY_REUSE_SECONDS),
  };
}
