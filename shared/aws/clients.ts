import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SluiceConfig } from "../config/config.ts";

/** What the SDK clients need from config (a subset, so tests can build one without a full config). */
export type AwsSettings = Pick<SluiceConfig["aws"], "region" | "endpoint" | "credentials" | "forcePathStyle">;

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly s3: S3Client;
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
  const sfn = new SFNClient(base);
  let destroyed = false;
  return {
    sqs,
    s3,
    sfn,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      sqs.destroy();
      s3.destroy();
      sfn.destroy();
    },
  };
}
