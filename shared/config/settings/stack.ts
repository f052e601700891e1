import { z } from "zod";
import { bool, int, nonEmpty, type Setting } from "./kit.ts";

/** AWS (credentials, region, endpoint), MongoDB, the S3 bucket and KMS key, and the SQS queues. */
export const STACK_SETTINGS = {
  AWS_ENDPOINT_URL: {
    schema: z.url({ protocol: /^https?$/ }),
    expected: "an http(s) URL",
    description: "AWS endpoint override, e.g. LocalStack `http://127.0.0.1:4566`. Unset for real AWS.",
  },
  AWS_REGION: {
    schema: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/),
    default: "us-east-1",
    expected: "an AWS region such as us-east-1",
    description: "AWS region for SQS, S3 and Step Functions.",
  },
  AWS_ACCESS_KEY_ID: {
    schema: nonEmpty,
    expected: "a non-empty string",
    description: "Static access key id; unset to use the SDK's default credential chain.",
  },
  AWS_SECRET_ACCESS_KEY: {
    schema: nonEmpty,
    expected: "a non-empty string",
    secret: true,
    description: "Static secret access key (set together with AWS_ACCESS_KEY_ID).",
  },
  AWS_SESSION_TOKEN: {
    schema: nonEmpty,
    expected: "a non-empty string",
    secret: true,
    description: "Optional session token for temporary static credentials.",
  },
  SLUICE_S3_FORCE_PATH_STYLE: {
    schema: bool,
    expected: "true or false",
    description: "Path-style S3 URLs. Defaults to true when AWS_ENDPOINT_URL is set, else false.",
  },
  SLUICE_SFN_ROLE_ARN: {
    schema: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/),
    default: "arn:aws:iam::000000000000:role/sluice-stepfunctions",
    expected: "an IAM role ARN",
    description: "Role Step Functions state machines run as (the default suits LocalStack).",
  },
  MONGO_URL: {
    schema: z.string().regex(/^mongodb(\+srv)?:\/\/.+/),
    required: true,
    expected: "a mongodb:// or mongodb+srv:// URL",
    secret: true,
    description: "MongoDB connection string, e.g. `mongodb://127.0.0.1:27017/?directConnection=true`.",
  },
  SLUICE_DB: {
    schema: z.string().regex(/^[A-Za-z0-9_-]{1,38}$/),
    default: "sluice",
    expected: "a database name of 1-38 letters, digits, '_' or '-'",
    description: "MongoDB database for shared-tier data.",
  },
  SLUICE_TENANT_ROUTE_TTL_MS: {
    schema: int(0, 600_000),
    default: "5000",
    expected: "an integer from 0 to 600000",
    description:
      "How long a process keeps a tenant's resolved home (tier and storage of its tenant document) before reading it again; 0 reads it on every call.",
  },
  SLUICE_BUCKET: {
    schema: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
    default: "sluice-data",
    expected: "an S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
    description: "S3 bucket holding tenant payloads under `tenants/<tenantId>/`.",
  },
  SLUICE_KMS_KEY_ID: {
    schema: z
      .string()
      .regex(
        /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|[0-9a-f-]{36}|alias\/[A-Za-z0-9/_-]+)$/,
      ),
    expected: "a KMS key id, key ARN, alias/<name> or alias ARN",
    description:
      "The fleet's KMS key: the bucket's default encryption (SSE-KMS) and the queues' SSE, set by `provision`. Unset: SSE-S3 and SQS-managed SSE. A tenant's own key is `storage.kmsKeyId` in its tenant document.",
  },
  SLUICE_AWS_ACCOUNT_ID: {
    schema: z.string().regex(/^\d{12}$/),
    expected: "a 12-digit AWS account id",
    description:
      "The account in the resource ARNs `iam policy` prints (queues, KMS keys). Read by nothing else.",
  },
  SLUICE_QUEUE_PREFIX: {
    schema: z.string().regex(/^[A-Za-z0-9_-]{1,24}$/),
    default: "sluice",
    expected: "1-24 letters, digits, '_' or '-'",
    description: "Prefix of every SQS queue name (`<prefix>-intake-<tenant>`, `<prefix>-work`).",
  },
  SLUICE_DLQ_MAX_RECEIVE_COUNT: {
    schema: int(1, 1000),
    default: "5",
    expected: "an integer from 1 to 1000",
    description: "Receives before SQS moves a message to the queue's dead-letter queue.",
  },
} as const satisfies Record<string, Setting<unknown>>;
