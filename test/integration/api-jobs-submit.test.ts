import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobsApiDeps } from "../../api/jobs/jobs-runtime.ts";
import type { JobsApiDeps } from "../../api/jobs/jobs-deps.ts";
import { submitJob } from "../../api/jobs/submit.ts";
import { ApiError } from "../../api/errors.ts";
import { createRejecter } from "../../scheduler/intake/reject.ts";
import { releaseMessage } from "../../scheduler/intake/release-message.ts";
import {
  failingSubmittedJobs,
  INTAKE_REJECTED_ERROR,
} from "../../scheduler/intake/submitted-job-rejection.ts";
import { isKeyedJobId } from "../../shared/jobs/job-id.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { createWorkflowVersions } from "../../shared/workflows/versions.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

/**
 * POST /v1/jobs's operation against the real stack: the submission is an intake message released by
 * the scheduler's own `releaseMessage`, and both ways in agree (ADR 0019).
 */
const acme = tenantId("acme");
const globex = tenantId("globex");
let fleet: TestFleet;
let deps: JobsApiDeps;
let flush: () => Promise<void>;
const settings = { uploadMaxBytes: 1024 * 1024, urlTtlSeconds: 60, cursorSecret: "s" };

beforeAll(async () => {
  fleet = await createTestFleet("api-submit", { tenants: ["acme", "globex"] });
  ({ deps, flush } = jobsApiDeps(fleet.rt, fleet.catalog, settings));
});
afterAll(() => fleet?.cleanup());

const acmeP = { tenantId: acme, subject: "alice" };

async function receiveAll(tenant: typeof acme) {
  const { queueUrl } = await fleet.rt.queues.intake(tenant);
  return fleet.rt.sqs.receive(queueUrl, { maxMessages: 10, waitSeconds: 1 });
}

function releaser(tenant: typeof acme) {
  const workflows = createWorkflowVersions(fleet.rt, fleet.catalog);
  const reject = failingSubmittedJobs(createRejecter({ sqs: fleet.rt.sqs, blobs: fleet.rt.blobs }), {
    jobsOf: (t) => fleet.rt.jobsOf(t),
    now: Date.now,
    log: fleet.rt.log,
  });
  return {
    sqs: fleet.rt.sqs,
    workQueueUrl: fleet.rt.queues.work,
    jobs: fleet.rt.jobsOf(tenant),
    reject,
    workflowVersion: (name: string) => workflows.current(name),
    now: Date.now,
    log: fleet.rt.log,
  };
}

const code = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return `${err.status} ${err.code}`;
    throw err;
  }
  return "ok";
};

describe("submitJob", () => {
  it("creates the job awaiting release and sends the intake message the release adopts", async () => {
    const r = await submitJob(deps, acmeP, { workflow: "hello", input: { name: "Ada" } }, "k-1");
    expect(r.created).toBe(true);
    expect(isKeyedJobId(r.job._id, acme, "k-1")).toBe(true);
    expect(r.job.status).toBe("queued");
    expect(r.job.awaitingRelease).toBe(true);
    await flush(); // the send's confirmation (batched, ADR 0026)
    expect(await fleet.getJob("acme", r.job._id)).not.toHaveProperty("intakePending");

    const again = await submitJob(deps, acmeP, { workflow: "hello", input: { name: "Ada" } }, "k-1");
    expect(again).toMatchObject({ created: false, job: { _id: r.job._id } });
    expect(await code(submitJob(deps, acmeP, { workflow: "hello", input: { name: "Bob" } }, "k-1"))).toBe(
      "409 idempotency_conflict",
    );

    const [m, ...more] = await receiveAll(acme);
    expect(more).toHaveLength(0); // the duplicate and the conflict sent nothing
    expect(JSON.parse(m!.body)).toMatchObject({ jobId: r.job._id, idempotencyKey: "k-1", tenantId: "acme" });
    const { queueUrl, queueName, dlqUrl } = await fleet.rt.queues.intake(acme);
    const out = await releaseMessage(releaser(acme), acme, { queueUrl, queueName, dlqUrl }, m!);
    expect(out).toMatchObject({ kind: "released", jobId: r.job._id, created: false, intakeDeleted: true });
    const job = await fleet.getJob("acme", r.job._id);
    expect(job).toMatchObject({ status: "queued", awaitingRelease: false, version: 1 });
    expect(
      await fleet.rt.fleetDb.collection(COLLECTIONS.jobs).countDocuments({ idempotencyKey: "k-1" }),
    ).toBe(1);
  });

  it("a keyed message whose job document is missing: the release creates the same job", async () => {
    const r = await submitJob(deps, acmeP, { workflow: "hello", input: {} }, "k-crash");
    // A message without its document (sent by an API before ADR 0026 that died before its insert,
    // or by an upstream naming its own keyed id).
    await fleet.rt.fleetDb.collection(COLLECTIONS.jobs).deleteOne({ _id: r.job._id as never });
    const [m] = await receiveAll(acme);
    const q = await fleet.rt.queues.intake(acme);
    const out = await releaseMessage(releaser(acme), acme, q, m!);
    expect(out).toMatchObject({ kind: "released", jobId: r.job._id, created: true });
    // The client's retry with the same key finds that job.
    const again = await submitJob(deps, acmeP, { workflow: "hello", input: {} }, "k-crash");
    expect(again.job._id).toBe(r.job._id);
    expect((await receiveAll(acme)).length).toBe(0);
  });

  it("a message rejected at release fails the submitted job with the reason", async () => {
    const r = await submitJob(deps, acmeP, { workflow: "hello", input: {} }, "k-reject");
    const [m] = await receiveAll(acme);
    const q = await fleet.rt.queues.intake(acme);
    // e.g. the tenant was suspended after the API admitted the submission.
    await releaser(acme).reject(acme, q, m!, "tenant suspended: unpaid");
    const job = await fleet.getJob("acme", r.job._id);
    expect(job).toMatchObject({ status: "failed", error: INTAKE_REJECTED_ERROR, awaitingRelease: false });
    expect(job?.cause).toContain("tenant suspended: unpaid");
  });

  it("an upstream cannot name another tenant's job id on its intake message", async () => {
    const theirs = await submitJob(deps, { tenantId: globex, subject: "g" }, { workflow: "hello" }, "g-1");
    const { queueUrl } = await fleet.rt.queues.intake(acme);
    const body = { tenantId: "acme", workflow: "hello", idempotencyKey: "g-1", jobId: theirs.job._id };
    await fleet.rt.sqs.send(queueUrl, { body: JSON.stringify(body) });
    const [m] = await receiveAll(acme);
    const out = await releaseMessage(releaser(acme), acme, await fleet.rt.queues.intake(acme), m!);
    expect(out).toMatchObject({ kind: "rejected" });
    expect((out as { reason: string }).reason).toMatch(/^invalid jobId/);
    expect(await fleet.getJob("globex", theirs.job._id)).toMatchObject({ status: "queued", version: 0 });
    expect(await fleet.getJob("acme", theirs.job._id)).toBeNull();
    await receiveAll(globex);
  });

  it("bad requests are refused with their codes and write nothing", async () => {
    const jobs = fleet.rt.fleetDb.collection(COLLECTIONS.jobs);
    const before = await jobs.countDocuments({});
    expect(await code(submitJob(deps, acmeP, { workflow: "hello" }, undefined))).toBe(
      "400 idempotency_key_required",
    );
    expect(await code(submitJob(deps, acmeP, { workflow: "nope" }, "b-1"))).toBe("422 unknown_workflow");
    expect(await code(submitJob(deps, acmeP, { workflow: "Bad Name" }, "b-2"))).toBe("400 invalid_request");
    const big = { blob: "x".repeat(210 * 1024) };
    expect(await code(submitJob(deps, acmeP, { workflow: "hello", input: big }, "b-3"))).toBe(
      "413 input_too_large",
    );
    const theirs = { key: "tenants/globex/uploads/api/x" };
    const mine = { key: "tenants/acme/uploads/api/missing" };
    const a = await submitJob(deps, acmeP, { workflow: "hello", inputRef: theirs }, "b-4").catch(
      (e: unknown) => e,
    );
    const b = await submitJob(deps, acmeP, { workflow: "hello", inputRef: mine }, "b-5").catch(
      (e: unknown) => e,
    );
    expect([(a as ApiError).code, (b as ApiError).code]).toEqual(["input_not_found", "input_not_found"]);
    expect((a as ApiError).message).toBe((b as ApiError).message);
    expect(await jobs.countDocuments({})).toBe(before);
    expect(await receiveAll(acme)).toHaveLength(0);
  });

  it("a suspended tenant is refused; maxQueued answers queue_full", async () => {
    const tenants = fleet.rt.fleetDb.collection(COLLECTIONS.tenants);
    await tenants.updateOne({ tenantId: "globex" }, { $set: { status: "suspended", reason: "unpaid" } });
    const fresh = jobsApiDeps(fleet.rt, fleet.catalog, settings).deps;
    const g = { tenantId: globex, subject: "g" };
    expect(await code(submitJob(fresh, g, { workflow: "hello" }, "s-1"))).toBe("403 tenant_suspended");
    await tenants.updateOne(
      { tenantId: "globex" },
      { $set: { status: "active", maxQueued: 1 }, $unset: { reason: "" } },
    );
    const fresh2 = jobsApiDeps(fleet.rt, fleet.catalog, settings).deps;
    await submitJob(fresh2, g, { workflow: "hello" }, "q-1");
    // LocalStack's depth counts the first message at once.
    expect(await code(submitJob(fresh2, g, { workflow: "hello" }, "q-2"))).toBe("429 queue_full");
  });
});
