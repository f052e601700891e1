import { randomBytes } from "node:crypto";
import { loadConfig, type SluiceConfig } from "../../../shared/config/config.ts";

/**
 * The endpoints of the running local stack, from `AWS_ENDPOINT_URL` and `MONGO_URL`. Integration tests
 * fail loudly without them rather than silently talking to real AWS.
 */
export function stackEnv(): { awsEndpoint: string; mongoUrl: string } {
  const awsEndpoint = process.env.AWS_ENDPOINT_URL;
  const mongoUrl = process.env.MONGO_URL;
  if (!awsEndpoint || !mongoUrl) {
    throw new Error(
      "integration tests need AWS_ENDPOINT_URL and MONGO_URL (start the stack: npm run stack -- up)",
    );
  }
  return { awsEndpoint, mongoUrl };
}

/** A config for tests against the local stack: LocalStack credentials unless the env sets its own. */
export function testConfig(overrides: Record<string, string> = {}): SluiceConfig {
  const { awsEndpoint, mongoUrl } = stackEnv();
  return loadConfig({
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    ...process.env,
    AWS_ENDPOINT_URL: awsEndpoint,
    MONGO_URL: mongoUrl,
    LOG_LEVEL: "silent",
    ...overrides,
  });
}

/**
 * A name unique to this test file run, valid as an SQS queue prefix, S3 bucket name and MongoDB
 * database name: `t-<label>-<time><random>` in lowercase, ≤ 30 characters.
 */
export function uniqueName(label: string, sep = "-"): string {
  const suffix = Date.now().toString(36).slice(-5) + randomBytes(3).toString("hex");
  return ["t", label.toLowerCase().slice(0, 12), suffix].join(sep);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
