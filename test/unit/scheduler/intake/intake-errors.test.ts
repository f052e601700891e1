import { MongoNetworkError, MongoServerSelectionError } from "mongodb";
import { describe, expect, it } from "vitest";
import { AwsAdapterError } from "../../../../shared/aws/errors.ts";
import { messageSize, stringAttr, type ReceivedMessage } from "../../../../shared/aws/sqs-port.ts";
import { deeperThan, parseIntakeMessage } from "../../../../shared/messages/intake-message.ts";
import { canonicalJson, payloadHash } from "../../../../shared/messages/payload-hash.ts";
import { inlineCopy, sqsSafeText, withBodyRef } from "../../../../scheduler/intake/dlq-copy.ts";
import { afterReleaseFailure, MAX_UNEXPECTED_FAILURES } from "../../../../scheduler/intake/failure-policy.ts";

const received = (body: string, attrs: Record<string, string> = {}): ReceivedMessage => ({
  messageId: "m-1",
  receiptHandle: "r",
  body,
  attributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, stringAttr(v)])),
  receiveCount: 1,
  sentAt: 0,
});
const meta = { reason: "invalid message: x", sourceQueue: "sluice-intake-acme" };

describe("dead-letter copies always fit SQS", () => {
  it("keeps the body and attributes when they fit", () => {
    const copy = inlineCopy(received("{}", { traceparent: "t" }), meta)!;
    expect(copy.body).toBe("{}");
    expect(Object.keys(copy.attributes!).sort()).toEqual([
      "originalMessageId",
      "reason",
      "sourceQueue",
      "traceparent",
    ]);
  });

  it("trims the message's own attributes to SQS's 10 and names the dropped ones", () => {
    const attrs = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, "v"]));
    const copy = inlineCopy(received("x", { ...attrs, reason: "theirs" }), meta)!;
    const names = Object.keys(copy.attributes!);
    expect(names).toHaveLength(10);
    expect(copy.attributes!["reason"]?.StringValue).toBe(meta.reason);
    const dropped = copy.attributes!["droppedAttributes"]!.StringValue!.split(",");
    expect(dropped).toContain("reason");
    expect(
      [...names.filter((n) => /^a\d$/.test(n)), ...dropped.filter((n) => n !== "reason")].sort(),
    ).toEqual(Object.keys(attrs).sort());
  });

  it("does not fit inline near 256 KiB; with the body in S3 it fits even with huge attributes", () => {
    // The original fits SQS; its attributes alone leave no room for the reason.
    const m = received("x".repeat(100), { big: "y".repeat(262_000), small: "s" });
    expect(messageSize(m)).toBeLessThanOrEqual(262_144);
    expect(inlineCopy(m, meta)).toBeUndefined();
    expect(inlineCopy(received("x".repeat(262_100)), meta)).toBeUndefined();
    const copy = withBodyRef(m, meta, {
      bucket: "b",
      key: "tenants/acme/intake-rejected/m-1",
      bytes: 262_100,
    });
    expect(messageSize(copy)).toBeLessThanOrEqual(262_144);
    expect(copy.attributes!["bodyRef"]?.StringValue).toBe("tenants/acme/intake-rejected/m-1");
    expect(copy.attributes!["big"]).toBeUndefined();
    expect(copy.attributes!["small"]?.StringValue).toBe("s");
    expect(copy.attributes!["droppedAttributes"]?.StringValue).toBe("big");
  });

  it("makes reason text SQS-safe and cuts it on a code point", () => {
    expect(sqsSafeText("a\u0001b\ud800c", 100)).toBe("a\uFFFDb\uFFFDc");
    expect(sqsSafeText("😀".repeat(5), 3)).toBe("😀😀…");
    expect(sqsSafeText("", 3)).toBe("(empty)");
  });
});

describe("release failures", () => {
  it("counts unexpected errors and rejects at the limit with the error named", () => {
    const bug = new RangeError("Maximum call stack size exceeded");
    expect(afterReleaseFailure(0, bug)).toEqual({ kind: "retry", failures: 1, outage: false });
    const last = afterReleaseFailure(MAX_UNEXPECTED_FAILURES - 1, bug);
    expect(last).toEqual({
      kind: "reject",
      failures: MAX_UNEXPECTED_FAILURES,
      reason: `internal: RangeError: Maximum call stack size exceeded (after ${MAX_UNEXPECTED_FAILURES} attempts)`,
    });
    const tooBig = new AwsAdapterError("sqs", "InvalidInput", "message too long");
    expect(afterReleaseFailure(2, tooBig)).toMatchObject({ kind: "reject" });
  });

  it("does not count dependency outages against the message", () => {
    for (const outage of [
      new AwsAdapterError("sqs", "Unavailable", "down"),
      new AwsAdapterError("sqs", "Throttled", "slow down"),
      new MongoNetworkError("connection reset"),
      new MongoServerSelectionError("no server", { type: "Unknown", servers: new Map() } as never),
    ])
      expect(afterReleaseFailure(2, outage)).toEqual({ kind: "retry", failures: 2, outage: true });
  });
});

describe("intake input limits and payload hashes", () => {
  it("rejects input nested deeper than 64 levels without overflowing the stack", () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    const body = (n: number) =>
      `{"tenantId":"acme","workflow":"hello","idempotencyKey":"k","input":${deep(n)}}`;
    expect(parseIntakeMessage(body(64), "acme").ok).toBe(true);
    expect(parseIntakeMessage(body(65), "acme")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/deeply nested/),
    });
    expect(parseIntakeMessage(body(100_000), "acme")).toMatchObject({ ok: false });
    expect(deeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(deeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
  });

  it("hashes workflow and input canonically; priority is not part of the payload", () => {
    const h = (m: object) => payloadHash(m as { workflow: string });
    expect(h({ workflow: "w", input: { a: 1, b: { c: [1, 2], d: null } } })).toBe(
      h({ workflow: "w", input: { b: { d: null, c: [1, 2] }, a: 1 } }),
    );
    expect(h({ workflow: "w", input: { a: 1 } })).not.toBe(h({ workflow: "w", input: { a: 2 } }));
    expect(h({ workflow: "w", input: { a: 1 } })).not.toBe(h({ workflow: "v", input: { a: 1 } }));
    expect(h({ workflow: "w", inputRef: { key: "k1" } })).not.toBe(
      h({ workflow: "w", inputRef: { key: "k2" } }),
    );
    expect(h({ workflow: "w" })).toBe(h({ workflow: "w", input: {} }));
    expect(h({ workflow: "w", input: [1, 2] })).not.toBe(h({ workflow: "w", input: [2, 1] }));
    expect(canonicalJson({ b: 1, a: "x" })).toBe('{"a":"x","b":1}');
    expect(h({ workflow: "w" })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
