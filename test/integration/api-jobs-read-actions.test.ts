import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancel, retry, review, type JobActionDeps } from "../../api/jobs/job-actions.ts";
import { getJob } from "../../api/jobs/job-view.ts";
import type { JobsApiDeps } from "../../api/jobs/jobs-deps.ts";
import { ApiError } from "../../api/errors.ts";
import { jobsApiDeps } from "../../api/jobs/jobs-runtime.ts";
import { listJobs } from "../../api/jobs/list-jobs.ts";
import { submitJob } from "../../api/jobs/submit.ts";
import { createUpload } from "../../api/jobs/uploads.ts";
import { listWorkflows } from "../../api/jobs/workflows.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { TEST_WORKFLOW_DIRS, testSteps } from "./fixtures/steps.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

/** The read and action operations of the jobs API on the real stack, for two tenants. */
const acme = tenantId("acme");
const globex = tenantId("globex");
const A = { tenantId: acme, subject: "alice" };
const G = { tenantId: globex, subject: "gina" };
let fleet: TestFleet;
let deps: JobsApiDeps;
let actions: JobActionDeps;
let flush: () => Promise<void>;

beforeAll(async () => {
  fleet = await createTestFleet("api-read", {
    tenants: ["acme", "globex"],
    workflowsDir: TEST_WORKFLOW_DIRS,
    steps: testSteps(),
  });
  ({ deps, actions, flush } = jobsApiDeps(fleet.rt, fleet.catalog, {
    uploadMaxBytes: 4096,
    urlTtlSeconds: 60,
    cursorSecret: "test-secret",
  }));
  await fleet.startWorker();
});
afterAll(() => fleet?.cleanup());

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError)
      return { status: err.status, code: err.code, message: err.message, details: err.details };
    throw err;
  }
  return "ok";
};

describe("get", () => {
  it("a finished job shows its output and timeline; another tenant gets exactly job_not_found", async () => {
    const jobId = await fleet.submit("acme", "hello", { name: "Ada" });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    const view = await getJob(deps, A, jobId);
    expect(view).toMatchObject({
      jobId,
      status: "complete",
      error: null,
      output: { inline: expect.anything() },
    });
    expect(view.timeline[0]?.type).toBe("created");
    expect(view.timeline.map((e) => e.type)).toContain("claimed");
    expect(view.timeline.at(-1)?.type).toBe("complete");

    const theirs = await failure(getJob(deps, G, jobId));
    const nobody = await failure(getJob(deps, G, jobId.slice(0, -4) + "ZZZZ"));
    expect(theirs).toEqual({ ...(nobody as object), details: { jobId } });
    expect(theirs).toMatchObject({ status: 404, code: "job_not_found", message: "no such job" });
    expect(await failure(getJob(deps, G, "../../etc"))).toMatchObject({ status: 404, code: "job_not_found" });
  });
});

describe("list", () => {
  it("pages newest first without skips or repeats while jobs are inserted; cursors are the tenant's own", async () => {
    const since = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push((await submitJob(deps, A, { workflow: "hello", input: { i } }, `list-${i}`)).job._id);
    const g = (await submitJob(deps, G, { workflow: "hello" }, "g-list")).job._id;
    const seen: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    do {
      const r = await listJobs(deps, A, { since, limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...r.jobs.map((j) => j.jobId));
      cursor = r.nextCursor ?? undefined;
      // Jobs created while paging are newer than every page boundary: they never shift a page.
      await submitJob(deps, A, { workflow: "hello", input: { page } }, `list-new-${page++}`);
      if (cursor !== undefined)
        expect(await failure(listJobs(deps, G, { cursor }))).toMatchObject({
          status: 400,
          code: "invalid_cursor",
        });
    } while (cursor !== undefined);
    expect(seen.slice(0, 7)).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain(g);
    const gs = await listJobs(deps, G, { since });
    expect(gs.jobs.map((j) => j.idempotencyKey)).toEqual(["g-list"]);

    const first = await listJobs(deps, A, { limit: 1 });
    const c = first.nextCursor as string;
    const tampered = c.slice(0, 5) + (c[5] === "A" ? "B" : "A") + c.slice(6);
    expect(await failure(listJobs(deps, A, { cursor: tampered }))).toMatchObject({ code: "invalid_cursor" });
    expect(await failure(listJobs(deps, A, { cursor: "garbage" }))).toMatchObject({ code: "invalid_cursor" });
    const byStatus = await listJobs(deps, A, { status: "complete", workflow: "nope" });
    expect(byStatus.jobs).toEqual([]);
  });
});

describe("cancel, retry, review", () => {
  it("cancel and retry the tenant's own job; another tenant's attempts are job_not_found and change nothing", async () => {
    const { job } = await submitJob(deps, A, { workflow: "hello" }, "act-1");
    await flush(); // its batched intake confirmation lands before the snapshot
    const before = await fleet.getJob("acme", job._id);
    for (const act of [
      () => cancel(deps, actions, G, job._id),
      () => retry(deps, actions, G, job._id, "start"),
    ])
      expect(await failure(act())).toMatchObject({ status: 404, code: "job_not_found" });
    expect(await fleet.getJob("acme", job._id)).toEqual(before);

    expect((await cancel(deps, actions, A, job._id)).status).toBe("cancelled");
    expect(await failure(cancel(deps, actions, A, job._id))).toMatchObject({
      status: 409,
      code: "invalid_state",
    });
    const retried = await retry(deps, actions, A, job._id, "start");
    expect(retried).toMatchObject({ status: "queued", awaitingRelease: false });
    expect(await failure(retry(deps, actions, A, job._id, "start"))).toMatchObject({ code: "invalid_state" });
    const audit = await fleet.rt.fleetDb.collection(COLLECTIONS.audit).find({ tenantId: "acme" }).toArray();
    expect(audit.map((a) => [a["action"], a["actor"]])).toEqual(
      expect.arrayContaining([
        ["job.cancel", { kind: "token", subject: "alice" }],
        ["job.retry", { kind: "token", subject: "alice" }],
      ]),
    );
  });

  it("review: another tenant cannot decide; the owner approves", async () => {
    const jobId = await fleet.submit("acme", "review-demo", { text: "Invoice 42: total 300 EUR." });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "needs_review");
    const before = await fleet.getJob("acme", jobId);
    expect(
      await failure(review(deps, actions, G, jobId, { decision: "reject", error: "X", cause: "y" })),
    ).toMatchObject({ status: 404, code: "job_not_found" });
    expect(await fleet.getJob("acme", jobId)).toEqual(before);
    const view = await getJob(deps, A, jobId);
    expect(view.review?.stateName).toBe("Review");
    await review(deps, actions, A, jobId, { decision: "approve", output: { type: "invoice", ok: true } });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(await failure(review(deps, actions, A, jobId, { decision: "approve", output: {} }))).toMatchObject(
      { status: 409, code: "invalid_state" },
    );
  });
});

describe("uploads and workflows", () => {
  it("a presigned PUT for one key of the tenant, usable as inputRef by that tenant only", async () => {
    const grant = await createUpload(deps, A, { bytes: 11, contentType: "application/json" });
    expect(grant.inputRef.key).toMatch(/^tenants\/acme\/uploads\/api\/[0-9a-f-]{36}$/);
    expect(new URL(grant.url).searchParams.get("X-Amz-SignedHeaders")).toContain("content-length");
    const put = await fetch(grant.url, {
      method: "PUT",
      headers: grant.headers,
      body: '{"name":"x"}'.slice(0, 11),
    });
    expect(put.status).toBe(200);
    const longer = { ...grant.headers, "content-length": "12" };
    const refused = await fetch(grant.url, {
      method: "PUT",
      headers: longer,
      body: '{"name":"xy"}'.slice(0, 12),
    });
    expect(refused.status).toBe(403);
    const r = await submitJob(deps, A, { workflow: "hello", inputRef: grant.inputRef }, "up-1");
    expect(r.job.input).toEqual({ s3: { key: grant.inputRef.key, bytes: 0 } });
    const theirs = await failure(submitJob(deps, G, { workflow: "hello", inputRef: grant.inputRef }, "up-2"));
    expect(theirs).toMatchObject({ status: 422, code: "input_not_found" });
    expect(await failure(createUpload(deps, A, { bytes: 5000 }))).toMatchObject({
      status: 413,
      code: "upload_too_large",
    });
  });

  it("lists the catalog's workflows with their versions", () => {
    const { workflows } = listWorkflows(deps);
    expect(workflows.map((w) => w.name)).toContain("hello");
    expect(workflows.find((w) => w.name === "hello")?.version).toBe(fleet.catalog.get("hello")?.version);
  });
});
