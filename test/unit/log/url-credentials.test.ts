import { describe, expect, it } from "vitest";
import { createLogger } from "../../../shared/log/index.ts";
import { scrubText, scrubUrlCredentials } from "../../../shared/log/redact.ts";

describe("scrubUrlCredentials (issue 9, item 14)", () => {
  it.each([
    [
      "mongodb://app:s3cret@db.example.com:27017/sluice",
      "mongodb://app:[REDACTED]@db.example.com:27017/sluice",
    ],
    [
      "mongodb+srv://app:s3cret@cluster0.example.net/?retryWrites=true",
      "mongodb+srv://app:[REDACTED]@cluster0.example.net/?retryWrites=true",
    ],
    // several hosts; a password with encoded and raw '@' and ':'
    ["mongodb://app:p%40ss:w@rd@h1:1,h2:2/db", "mongodb://app:[REDACTED]@h1:1,h2:2/db"],
    ["MONGO_URL='mongodb://u:x@h' next", "MONGO_URL='mongodb://u:[REDACTED]@h' next"],
    [
      "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok123&w=1",
      "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=[REDACTED]&w=1",
    ],
    [
      "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=kfp",
      "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=[REDACTED]",
    ],
  ])("%s", (input, expected) => {
    expect(scrubUrlCredentials(input)).toBe(expected);
  });

  it("leaves URLs without a password alone", () => {
    for (const url of [
      "mongodb://127.0.0.1:27017/?directConnection=true",
      "mongodb://x509user@db.example.com/?authMechanism=MONGODB-X509",
      "http://127.0.0.1:4566/queue/acme?Action=ReceiveMessage",
      "mail ops@example.com about http://host:80/a",
    ]) {
      expect(scrubUrlCredentials(url)).toBe(url);
    }
  });

  it("scrubText scrubs passwords and signed query strings together", () => {
    const text = "to mongodb://a:b@h/x and http://h/k?X-Amz-Signature=sig";
    expect(scrubText(text)).toBe("to mongodb://a:[REDACTED]@h/x and http://h/k?[REDACTED]");
  });

  it("the logger never prints a connection string's password: message, fields or error", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", destination: { write: (s: string) => void lines.push(s) } });
    const url = "mongodb://sluice:hunter2@db.example.com:27017/sluice?authSource=admin";
    logger.info({ mongo: { url }, urls: [url] }, `connecting to ${url}`);
    logger.error({ err: new Error(`connect ${url} failed`) }, "mongo unreachable");
    const out = lines.join("\n");
    expect(out).not.toContain("hunter2");
    expect(out).toContain("mongodb://sluice:[REDACTED]@db.example.com:27017/sluice?authSource=admin");
    expect(lines).toHaveLength(2);
  });
});
