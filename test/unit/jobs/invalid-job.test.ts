import { describe, expect, it } from "vitest";
import { JobDocSchema, newQueuedJob } from "../../../shared/jobs/job-doc.ts";
import { INVALID_JOB_ERROR, retirement } from "../../../shared/jobs/invalid-job.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const T = 1_700_000_000_000;
const job = () =>
  newQueuedJob(
    {
      jobId: "01INVALIDJOB00000000000000",
      tenantId: tenantId("acme"),
      idempotencyKey: "k",
      workflow: { name: "hello", version: "v1" },
      input: { inline: { name: "Ada" } },
    },
    T,
  ) as unknown as Record<string, unknown>;

describe("retirement of an invalid job document", () => {
  it("is null for a valid document", () => {
    expect(retirement(job(), T)).toBeNull();
  });

  it("fails the job, names the bad fields and replaces them so the document parses again", () => {
    const raw = { ...job(), attempts: "many", history: "lost", version: 4 };
    const r = retirement(raw, T + 5)!;
    expect(r.issues.map((i) => i.path).sort()).toEqual(["attempts", "history"]);
    expect(r.set).toMatchObject({ status: "failed", error: INVALID_JOB_ERROR, attempts: 0, version: 5 });
    expect(r.set.cause).toMatch(/attempts: /);
    const repaired = JobDocSchema.parse({ ...raw, ...r.set });
    expect(repaired.history.map((e) => e.type)).toEqual(["invalid_document"]);
    expect(repaired.input).toEqual({ inline: { name: "Ada" } }); // valid fields are kept
  });

  it("also replaces a field whose check only runs once the rest parses (a foreign S3 key)", () => {
    const raw = { ...job(), priority: "high", input: { s3: { key: "tenants/globex/x.json", bytes: 1 } } };
    const r = retirement(raw, T)!;
    expect(JobDocSchema.safeParse({ ...raw, ...r.set }).success).toBe(true);
    expect(r.set.input).toEqual({ inline: null });
  });

  it("fails a document with a malformed version or tenant all the same (version restarts at 1)", () => {
    const r = retirement({ ...job(), version: "seven", tenantId: "Not A Tenant!" }, T)!;
    expect(r.set).toMatchObject({ status: "failed", version: 1 });
    expect(r.set.tenantId).toBeUndefined();
  });
});
