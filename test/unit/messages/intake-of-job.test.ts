import { describe, expect, it } from "vitest";
import { queuedJobDoc } from "../../../shared/jobs/job-doc.ts";
import { keyedJobId } from "../../../shared/jobs/job-id.ts";
import {
  checkIntakeMessage,
  parseIntakeMessage,
  PRIORITY_RANK,
} from "../../../shared/messages/intake-message.ts";
import { intakeMessageOfJob } from "../../../shared/messages/intake-of-job.ts";
import { payloadHash } from "../../../shared/messages/payload-hash.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const acme = tenantId("acme");
const now = 1_700_000_000_000;

function job(input: { inline: unknown } | { s3: { key: string; bytes: number } }, priority: number) {
  const message =
    "inline" in input
      ? { workflow: "hello", input: input.inline }
      : { workflow: "hello", inputRef: { key: input.s3.key } };
  return queuedJobDoc(
    {
      jobId: keyedJobId(acme, "k", now),
      tenantId: acme,
      idempotencyKey: "k",
      workflow: { name: "hello", version: "v1" },
      input: input as never,
      priority,
      payloadHash: payloadHash(message),
      awaitingRelease: true,
      intakePending: true,
    },
    now,
  );
}

describe("intakeMessageOfJob", () => {
  it("gives back the message the API sent: inline input, priority, keyed id, same hash", () => {
    const doc = job({ inline: { b: [1, { c: 2 }], a: "x" } }, PRIORITY_RANK.low);
    const m = intakeMessageOfJob(doc);
    expect(m).toEqual({
      tenantId: "acme",
      workflow: "hello",
      idempotencyKey: "k",
      input: { b: [1, { c: 2 }], a: "x" },
      priority: "low",
      jobId: doc._id,
    });
    // The release would take it: it parses for the tenant (keyed id checked) with the job's hash.
    const parsed = parseIntakeMessage(JSON.stringify(m), "acme");
    expect(parsed.ok && payloadHash(parsed.message)).toBe(doc.payloadHash);
  });

  it("an S3 input becomes inputRef", () => {
    const doc = job({ s3: { key: "tenants/acme/uploads/api/u1", bytes: 0 } }, PRIORITY_RANK.normal);
    expect(intakeMessageOfJob(doc)).toMatchObject({ inputRef: { key: "tenants/acme/uploads/api/u1" } });
  });

  it("no message when the document's hash is missing or is not the rebuilt message's", () => {
    const doc = job({ inline: { a: 1 } }, PRIORITY_RANK.high);
    expect(intakeMessageOfJob({ ...doc, payloadHash: undefined })).toBeUndefined();
    expect(intakeMessageOfJob({ ...doc, input: { inline: { a: 2 } } })).toBeUndefined();
  });
});

describe("checkIntakeMessage", () => {
  it("judges a parsed message exactly as parseIntakeMessage judges its JSON", () => {
    const cases: unknown[] = [
      { tenantId: "acme", workflow: "hello", idempotencyKey: "k", input: { a: 1 } },
      { tenantId: "globex", workflow: "hello", idempotencyKey: "k" },
      { tenantId: "acme", workflow: "Bad Name", idempotencyKey: "" },
      { tenantId: "acme", workflow: "hello", idempotencyKey: "k", jobId: keyedJobId(acme, "other", now) },
      { tenantId: "acme", workflow: "hello", idempotencyKey: "k", input: { x: "y".repeat(210 * 1024) } },
      { tenantId: "acme", workflow: "hello", idempotencyKey: "k", input: {}, inputRef: { key: "a" } },
      { tenantId: "acme", workflow: "hello", idempotencyKey: "k", extra: 1 },
    ];
    for (const c of cases)
      expect(checkIntakeMessage(c, "acme")).toEqual(parseIntakeMessage(JSON.stringify(c), "acme"));
  });
});
