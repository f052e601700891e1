import { describe, expect, it } from "vitest";
import {
  AWS_ERROR_CODES,
  AwsAdapterError,
  isRetryableCode,
  toAwsError,
  awsCall,
} from "../../../shared/aws/errors.ts";
import { dlqName, intakeQueueName, QueueNameError, workQueueName } from "../../../shared/aws/queue-names.ts";
import { batched } from "../../../shared/aws/sqs-batch.ts";
import { chunkForBatch, messageSize, stringAttr } from "../../../shared/aws/sqs-port.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

describe("AWS error mapping", () => {
  const sdkError = (name: string, status?: number, fault?: "client" | "server") =>
    Object.assign(new Error(`${name} happened`), {
      name,
      $metadata: status === undefined ? {} : { httpStatusCode: status },
      ...(fault ? { $fault: fault } : {}),
    });

  it.each([
    ["QueueDoesNotExist", 400, "NotFound", false],
    ["AWS.SimpleQueueService.NonExistentQueue", 400, "NotFound", false],
    ["NoSuchKey", 404, "NotFound", false],
    ["ThrottlingException", 400, "Throttled", true],
    ["SlowDown", 503, "Throttled", true],
    ["StateMachineAlreadyExists", 400, "AlreadyExists", false],
    ["InvalidDefinition", 400, "InvalidInput", false],
    ["AccessDenied", 403, "AccessDenied", false],
    ["SomethingNew", 503, "Unavailable", true],
    ["SomethingNew", 418, "InvalidInput", false],
  ] as const)("%s (%s) → %s, retryable %s", (name, status, code, retryable) => {
    const e = toAwsError("sqs", sdkError(name, status), "op");
    expect(e).toMatchObject({ code, retryable, awsName: name, httpStatus: status });
    expect(e.message).toContain("sqs op");
  });

  it("every code has a retryability", () => {
    for (const code of AWS_ERROR_CODES) expect(typeof isRetryableCode(code)).toBe("boolean");
  });

  it("awsCall wraps SDK and network errors but lets programming errors through", async () => {
    await expect(
      awsCall("s3", "get", () => Promise.reject(sdkError("NoSuchBucket", 404))),
    ).rejects.toBeInstanceOf(AwsAdapterError);
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    await expect(awsCall("s3", "get", () => Promise.reject(refused))).rejects.toMatchObject({
      code: "Unavailable",
      retryable: true,
    });
    const bug = new TypeError("x is undefined");
    await expect(awsCall("s3", "get", () => Promise.reject(bug))).rejects.toBe(bug);
  });
});

describe("queue names", () => {
  it("follows <prefix>-intake-<tenant>, <prefix>-work, <queue>-dlq", () => {
    expect(intakeQueueName("sluice", tenantId("acme"))).toBe("sluice-intake-acme");
    expect(workQueueName("sluice")).toBe("sluice-work");
    expect(dlqName("sluice-work")).toBe("sluice-work-dlq");
  });
  it("the longest prefix and tenant still fit SQS's 80 characters with a DLQ", () => {
    const name = dlqName(intakeQueueName("p".repeat(24), tenantId("t".repeat(40))));
    expect(name.length).toBeLessThanOrEqual(80);
    expect(() => workQueueName("bad prefix")).toThrow(QueueNameError);
  });
});

describe("SQS batching", () => {
  it("chunks by ten entries and by 256 KiB, keeping indexes", () => {
    const small = Array.from({ length: 23 }, (_, i) => ({ body: `m${i}` }));
    expect(chunkForBatch(small).map((c) => c.length)).toEqual([10, 10, 3]);
    const big = Array.from({ length: 4 }, () => ({ body: "x".repeat(100_000) }));
    const chunks = chunkForBatch(big);
    expect(chunks.map((c) => c.map((e) => e.index))).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it("counts attributes in a message's size", () => {
    expect(messageSize({ body: "ab", attributes: { k: stringAttr("vv") } })).toBe(2 + 1 + 6 + 2);
  });

  it("retries retryable failed entries once and reports the rest per entry", async () => {
    const calls: number[][] = [];
    const result = await batched(
      [[0, 1, 2, 3].map((index) => ({ index, entry: `e${index}` }))],
      async (chunk) => {
        calls.push(chunk.map((c) => c.index));
        const attempt = calls.length;
        return {
          ok: chunk
            .filter((c) => c.index === 0 || (attempt === 2 && c.index === 1))
            .map((c) => ({ Id: String(c.index), result: { index: c.index } })),
          failed: chunk
            .filter((c) => !(c.index === 0 || (attempt === 2 && c.index === 1)))
            .map((c) => ({
              Id: String(c.index),
              Code: c.index === 3 ? "InvalidParameterValue" : "ServiceUnavailable",
              SenderFault: c.index === 3,
              Message: "no",
            })),
        };
      },
    );
    expect(calls).toEqual([
      [0, 1, 2, 3],
      [1, 2],
    ]);
    expect(result.successful.map((s) => s.index)).toEqual([0, 1]);
    expect(result.failed.map((f) => [f.index, f.code])).toEqual([
      [2, "Unavailable"],
      [3, "InvalidInput"],
    ]);
  });
});
