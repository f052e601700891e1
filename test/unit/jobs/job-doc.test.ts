import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  HISTORY_LIMIT,
  InvalidJobDocError,
  JobDocSchema,
  JobPatchSchema,
  newQueuedJob,
  parseJobDoc,
} from "../../../shared/jobs/job-doc.ts";
import type { JobDoc } from "../../../shared/jobs/job-doc.ts";
import { newJobId } from "../../../shared/jobs/job-id.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const T = tenantId("acme");
const NOW = 1_767_225_600_000;

const job = (over: Partial<JobDoc> = {}): Record<string, unknown> => ({
  ...newQueuedJob(
    {
      jobId: "01JABCDEFGHJKMNPQRSTVWXYZ0",
      tenantId: T,
      idempotencyKey: "order-1",
      workflow: { name: "invoice", version: "sha256:abc" },
      input: { inline: { amount: 3 } },
    },
    NOW,
  ),
  ...over,
});

describe("job document schema", () => {
  it("builds a valid queued job at version 0", () => {
    const j = JobDocSchema.parse(job());
    expect(j).toMatchObject({
      status: "queued",
      version: 0,
      attempts: 0,
      lease: null,
      history: [],
      priority: 0,
    });
    expect(j.createdAt).toBe(NOW);
  });

  it("accepts a full running / reviewed / finished shape", () => {
    const j = job({
      status: "needs_review",
      execution: { state: "Review", stack: [1, 2] },
      output: { s3: { key: "tenants/acme/jobs/x/output.json", bytes: 2_000_000 } },
      lease: { owner: "worker-1", expiresAt: NOW + 1 },
      review: {
        taskToken: "tok",
        stateName: "Review",
        input: { inline: { fields: ["a"] } },
        requestedAt: NOW,
      },
      wakeAt: NOW + 5,
      error: "States.TaskFailed",
      cause: "boom",
      startedAt: NOW,
      finishedAt: NOW + 9,
      history: [
        { at: NOW, type: "claimed", detail: { owner: "w" } },
        { at: NOW, type: "state_entered", state: "A" },
      ],
    });
    expect(JobDocSchema.safeParse(j).success).toBe(true);
  });

  it.each([
    ["unknown status", { status: "paused" }, "status"],
    ["bad tenant id", { tenantId: "Acme!" }, "tenantId"],
    ["bad job id", { _id: "a/b" }, "_id"],
    ["negative version", { version: -1 }, "version"],
    ["fractional attempts", { attempts: 1.5 }, "attempts"],
    ["bare inline input", { input: { amount: 3 } }, "input"],
    ["input with both forms", { input: { inline: 1, s3: { key: "tenants/acme/x", bytes: 1 } } }, "input"],
    ["lease without owner", { lease: { expiresAt: 3 } }, "lease.owner"],
    ["S3 key of another tenant", { input: { s3: { key: "tenants/other/x", bytes: 1 } } }, "input.s3.key"],
    ["S3 key outside tenants/", { output: { s3: { key: "acme/x", bytes: 1 } } }, "output.s3.key"],
    [
      "history too long",
      { history: Array.from({ length: HISTORY_LIMIT + 1 }, () => ({ at: 1, type: "x" })) },
      "history",
    ],
    ["missing updatedAt", { updatedAt: undefined }, "updatedAt"],
  ])("rejects %s with its field path", (_name, over, path) => {
    let caught: unknown;
    try {
      parseJobDoc(job(over as Partial<JobDoc>));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidJobDocError);
    expect((caught as InvalidJobDocError).issues.map((i) => i.path)).toContain(path);
  });

  it("keeps inline values that look like S3 references unambiguous", () => {
    const j = JobDocSchema.parse(job({ input: { inline: { s3: { key: "whatever", bytes: 1 } } } }));
    expect(j.input).toEqual({ inline: { s3: { key: "whatever", bytes: 1 } } });
  });

  it("patches may not touch identity, creation time, history or version", () => {
    for (const field of [
      "_id",
      "tenantId",
      "idempotencyKey",
      "workflow",
      "createdAt",
      "updatedAt",
      "history",
      "version",
    ]) {
      expect(JobPatchSchema.safeParse({ [field]: job()[field] }).success).toBe(false);
    }
    expect(JobPatchSchema.safeParse({ status: "running", lease: { owner: "w", expiresAt: 1 } }).success).toBe(
      true,
    );
  });
});

describe("newJobId", () => {
  it("is 26 Crockford characters that sort by time and parse as a job id", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 48 - 2 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        (t, r) => {
          const a = newJobId(t, () => r);
          const b = newJobId(t + 1, () => r);
          expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
          expect(a < b).toBe(true);
          expect(JobDocSchema.shape._id.safeParse(a).success).toBe(true);
        },
      ),
    );
  });

  it("is deterministic given time and randomness, and random by default", () => {
    const zeros = () => new Uint8Array(10);
    expect(newJobId(0, zeros)).toBe("0".repeat(26));
    expect(newJobId(NOW)).not.toBe(newJobId(NOW));
    expect(() => newJobId(-1)).toThrow(RangeError);
  });
});

describe("review payload (one payload model, ADR 0012)", () => {
  const base = { taskToken: "tok", stateName: "Review", requestedAt: NOW };
  const ref = { key: "tenants/acme/jobs/x/review-Review-1.json", bytes: 300_000 };

  it("reads a review written before it: `dataRef` as a stored payload, `data` as an inline one", () => {
    const stored = parseJobDoc(
      job({ status: "needs_review", review: { ...base, data: null, dataRef: ref } } as never),
    );
    expect(stored.review).toEqual({ ...base, input: { s3: ref } });
    const inline = parseJobDoc(job({ status: "needs_review", review: { ...base, data: { a: 1 } } } as never));
    expect(inline.review).toEqual({ ...base, input: { inline: { a: 1 } } });
  });

  it("leaves a review in the new shape as it is, and refuses a foreign key in either shape", () => {
    const now = parseJobDoc(
      job({ status: "needs_review", review: { ...base, input: { inline: [1] } } } as never),
    );
    expect(now.review).toEqual({ ...base, input: { inline: [1] } });
    const foreign = { key: "tenants/globex/secret.json", bytes: 1 };
    for (const review of [
      { ...base, data: null, dataRef: foreign },
      { ...base, input: { s3: foreign } },
    ]) {
      expect(() => parseJobDoc(job({ status: "needs_review", review } as never))).toThrowError(
        /review\.input\.s3\.key/,
      );
    }
  });
});
