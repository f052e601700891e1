/**
 * The IAM actions behind each method of the AWS ports (shared/aws/sqs-port.ts, shared/aws/s3.ts):
 * the SDK commands the adapters send, named as IAM authorizes them. A unit test reads the adapters'
 * source and checks these tables against the commands each method really sends
 * (test/unit/iam/policy-drift.test.ts), so a new command cannot slip past the policies.
 */
import type { BlobStore } from "../aws/s3.ts";
import type { SqsPort } from "../aws/sqs-port.ts";

/** SDK command name → the IAM action that authorizes it. */
export const COMMAND_ACTIONS: Readonly<Record<string, string>> = {
  SendMessageCommand: "sqs:SendMessage",
  SendMessageBatchCommand: "sqs:SendMessage",
  ReceiveMessageCommand: "sqs:ReceiveMessage",
  ChangeMessageVisibilityCommand: "sqs:ChangeMessageVisibility",
  DeleteMessageCommand: "sqs:DeleteMessage",
  DeleteMessageBatchCommand: "sqs:DeleteMessage",
  GetQueueUrlCommand: "sqs:GetQueueUrl",
  GetQueueAttributesCommand: "sqs:GetQueueAttributes",
  SetQueueAttributesCommand: "sqs:SetQueueAttributes",
  CreateQueueCommand: "sqs:CreateQueue",
  DeleteQueueCommand: "sqs:DeleteQueue",
  ListQueuesCommand: "sqs:ListQueues",
  PutObjectCommand: "s3:PutObject",
  GetObjectCommand: "s3:GetObject",
  HeadObjectCommand: "s3:GetObject",
  ListObjectsV2Command: "s3:ListBucket",
  DeleteObjectCommand: "s3:DeleteObject",
  HeadBucketCommand: "s3:ListBucket",
  CreateBucketCommand: "s3:CreateBucket",
  PutBucketEncryptionCommand: "s3:PutEncryptionConfiguration",
};

export type SqsMethod = keyof SqsPort;
export type BlobMethod = keyof BlobStore;

/** What each SQS port method sends. */
export const SQS_METHOD_ACTIONS: Readonly<Record<SqsMethod, readonly string[]>> = {
  send: ["sqs:SendMessage"],
  sendBatch: ["sqs:SendMessage"],
  receive: ["sqs:ReceiveMessage"],
  changeVisibility: ["sqs:ChangeMessageVisibility"],
  delete: ["sqs:DeleteMessage"],
  deleteBatch: ["sqs:DeleteMessage"],
  ensureQueue: ["sqs:GetQueueUrl", "sqs:SetQueueAttributes", "sqs:CreateQueue", "sqs:GetQueueAttributes"],
  getQueueUrl: ["sqs:GetQueueUrl"],
  approximateDepth: ["sqs:GetQueueAttributes"],
  deleteQueue: ["sqs:DeleteQueue"],
  listQueues: ["sqs:ListQueues"],
};

/**
 * What each blob store method sends. Presigning sends nothing, but the URL carries the signer's
 * authority, so it needs the action the URL performs.
 */
export const BLOB_METHOD_ACTIONS: Readonly<Record<BlobMethod, readonly string[]>> = {
  bucket: [],
  placementOf: [],
  ensureBucket: ["s3:ListBucket", "s3:CreateBucket", "s3:PutEncryptionConfiguration"],
  put: ["s3:PutObject"],
  putJson: ["s3:PutObject"],
  getBuffer: ["s3:GetObject"],
  getString: ["s3:GetObject"],
  getJson: ["s3:GetObject"],
  head: ["s3:GetObject"],
  list: ["s3:ListBucket"],
  listAll: ["s3:ListBucket"],
  delete: ["s3:DeleteObject"],
  presignGet: ["s3:GetObject"],
  presignPut: ["s3:PutObject"],
};
