import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SluiceConfig } from "../config/config.ts";

/** What the SDK clients need from config (a subset, so tests can build one without a full config). */
export type AwsSettings = Pick<SluiceConfig["aws"], "region" | "endpoint" | "credentials" | "forcePathStyle">;

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  /**
   * The S3 client presigned URLs are made with: checksums only when an operation requires them. With
   * the SDK's default (`WHEN_SUPPORTED`) a presigned PUT carries the CRC32 of an empty body
   * (`x-amz-checksum-crc32=AAAAAA==`) and a presigned GET `x-amz-checksum-mode`, so a plain
   * `curl -T file URL` would be refused by S3 (the body's checksum is not the empty body's). The
   * `s3` client keeps the default: the SDK's own uploads are checked end to end.
   */
  readonly s3Presign: S3Client;
  readonly sfn: SFNClient;
  /** Closes the clients' sockets; idempotent. */
  destroy(): void;
}

/** Client options shared by every service: region, endpoint, credentials, SDK standard retries. */
export function awsClientConfig(aws: AwsSettings) {
  return {
    region: aws.region,
    ...(aws.endpoint !== undefined ? { endpoint: aws.endpoint } : {}),
    // A fresh object: the SDK annotates credentials it is given, and config is frozen.
    ...(aws.credentials !== undefined ? { credentials: { ...aws.credentials } } : {}),
    maxAttempts: 4,
    retryMode: "standard" as const,
  };
}

export function createAwsClients(aws: AwsSettings): AwsClients {
  const base = awsClientConfig(aws);
  const sqs = new SQSClient(base);
  const s3 = new S3Client({ ...base, forcePathStyle: aws.forcePathStyle });
  const s3Presign = new S3Client({
    ...base,
    forcePathStyle: aws.forcePathStyle,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const sfn = new SFNClient(base);
  let destroyed = false;
  return {
    sqs,
    s3,
    s3Presign,
    sfn,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      sqs.destroy();
      s3.destroy();
      s3Presign.destroy();
      sfn.destroy();
    },
  };
}
