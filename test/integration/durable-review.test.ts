import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { reviewCommand } from "../../workers/cli/review.ts";
import { createReviews, ReviewRefusedError, type Reviews } from "../../workers/review.ts";
import { TEST_WORKFLOW_DIRS, testSteps } from "./fixtures/steps.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { createAuditLog, type AuditActor } from "../../shared/audit/audit-log.ts";

const ops: AuditActor = { kind: "os", subject: "ops" };

const acme = tenantId("acme");
let fleet: TestFleet;
let reviews: Reviews;

beforeAll(async () => {
  fleet = await createTestFleet("review", { workflowsDir: TEST_WORKFLOW_DIRS, steps: testSteps() });
  reviews = createReviews(fleet.rt, fleet.catalog);
  await fleet.startWorker();
});
afterAll(() => fleet?.cleanup());

const INVOICE = { text: "Invoice 42: total amount due 300 EUR, payment within 30 days." };

async function waitingJob() {
  const jobId = await fleet.submit("acme", "review-demo", INVOICE);
  const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "needs_review");
  return { jobId, job };
}

describe("human review", () => {
  it("parks the job in needs_review with the data to decide on; approve completes it", async () => {
    const { jobId, job } = await waitingJob();
    expect(job.lease).toBeNull();
    expect(job.review).toMatchObject({
      stateName: "Review",
      input: { inline: { text: INVOICE.text, suggested: { type: "invoice" } } },
    });
    expect(job.review!.taskToken).toBeTruthy();
    expect((await reviews.list(acme)).map((j) => j._id)).toContain(jobId);

    await reviews.approve(acme, jobId, { label: "invoice", by: "ada" }, { actor: ops, reviewer: "ada" });
    const [entry] = await createAuditLog(fleet.rt.fleetDb).list(acme, { limit: 1 });
    expect(entry).toMatchObject({
      actor: ops,
      action: "review.approve",
      target: { jobId },
      before: { status: "needs_review", state: "Review" },
      after: { status: "queued", output: { label: "invoice", by: "ada" } },
    });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.output).toEqual({
      inline: { outcome: "approved", label: "invoice", decision: { label: "invoice", by: "ada" } },
    });
    expect(done.review).toBeNull();
    expect(done.history.map((e) => e.type)).toEqual(
      expect.arrayContaining(["review_requested", "review_approved"]),
    );
    expect((await reviews.list(acme)).map((j) => j._id)).not.toContain(jobId);
  });

  it("a job parked before the one payload model (review `data`/`dataRef`) is read and decided as before", async () => {
    const { jobId, job } = await waitingJob();
    const data = await reviews.data(acme, job);
    // Rewrite the review as an older worker stored it: data claim-checked at `dataRef`, `data` null.
    const json = JSON.stringify(data);
    const { key } = await fleet.rt.blobs.put(acme, ["jobs", jobId, "review-legacy.json"], json);
    const dataRef = { key, bytes: json.length };
    const { input: _input, ...rest } = job.review!;
    const raw = fleet.rt.fleetDb.collection<Record<string, unknown>>(COLLECTIONS.jobs);
    await raw.updateOne({ _id: jobId as never }, { $set: { review: { ...rest, data: null, dataRef } } });

    const legacy = (await fleet.getJob("acme", jobId))!;
    expect(legacy.review?.input).toEqual({ s3: dataRef });
    expect(await reviews.data(acme, legacy)).toEqual(data);
    await reviews.approve(acme, jobId, { label: "invoice", by: "old" }, { actor: ops });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.output).toMatchObject({ inline: { outcome: "approved" } });
  });

  it("reject takes the Task's Catch path", async () => {
    const { jobId } = await waitingJob();
    await reviews.reject(acme, jobId, "Review.Rejected", "not an invoice", { actor: ops });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.output).toEqual({
      inline: { outcome: "rejected", rejection: { Error: "Review.Rejected", Cause: "not an invoice" } },
    });
  });

  it("a rejection nothing catches fails the job with its error and cause", async () => {
    const { jobId } = await waitingJob();
    await reviews.reject(acme, jobId, "Review.Escalated", "needs a lawyer", { actor: ops });
    const [entry] = await createAuditLog(fleet.rt.fleetDb).list(acme, { limit: 1 });
    expect(entry).toMatchObject({
      actor: ops,
      action: "review.reject",
      target: { jobId },
      before: { status: "needs_review" },
      after: { status: "queued", error: "Review.Escalated", cause: "needs a lawyer" },
    });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "failed");
    expect(done).toMatchObject({ error: "Review.Escalated", cause: "needs a lawyer" });
  });

  it("a decision on a job that is not waiting is refused with a clear message", async () => {
    const { jobId } = await waitingJob();
    await expect(
      reviews.approve(acme, jobId, {}, { actor: ops, taskToken: "some-other-token" }),
    ).rejects.toThrow(/another task token/);
    await reviews.approve(acme, jobId, { ok: true }, { actor: ops });
    // Decided already: queued or running now, complete soon; every later decision is refused.
    await expect(
      reviews.reject(acme, jobId, "Review.Rejected", "late", { actor: ops }),
    ).rejects.toBeInstanceOf(ReviewRefusedError);
    await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    const refusal = reviews.approve(acme, jobId, {}, { actor: ops });
    await expect(refusal).rejects.toThrow(`job ${jobId} is complete, not waiting for review`);
    await expect(
      reviews.approve(acme, "01NOSUCHJOB0000000000000000", {}, { actor: ops }),
    ).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("a .waitForTaskToken Task parks the job with its task token; approve delivers the result", async () => {
    const jobId = await fleet.submit("acme", "token-review", { doc: "contract.pdf" });
    const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "needs_review");
    const data = (await reviews.data(acme, job)) as { MessageBody: { token: string; doc: string } };
    expect(data.MessageBody).toEqual({ token: job.review!.taskToken, doc: "contract.pdf" });

    await reviews.approve(acme, jobId, { approved: true }, { actor: ops, taskToken: data.MessageBody.token });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.output).toEqual({ inline: { doc: "contract.pdf", decision: { approved: true } } });
  });

  it("the CLI lists waiting jobs and approves one (exit 0); a refused decision exits 1", async () => {
    const { jobId } = await waitingJob();
    const saved = { ...process.env };
    Object.assign(
      process.env,
      { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", LOG_LEVEL: "silent" },
      fleet.env,
    );
    try {
      expect(await reviewCommand(["list", "acme"])).toBe(0);
      expect(
        await reviewCommand([
          "approve",
          "acme",
          jobId,
          "--output",
          '{"label":"invoice"}',
          "--reviewer",
          "cli",
        ]),
      ).toBe(0);
      await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
      expect(await reviewCommand(["reject", "acme", jobId])).toBe(1);
      expect(await reviewCommand(["approve", "acme"])).toBe(2);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("a review Task's TimeoutSeconds: the sweeper fails it with States.Timeout once overdue (Catch applies)", async () => {
    const before = Date.now();
    const jobId = await fleet.submit("acme", "review-timeout", { doc: "lease.pdf" });
    const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "needs_review");
    const { requestedAt, timeoutAt } = job.review!;
    expect(requestedAt).toBeGreaterThanOrEqual(before);
    expect(timeoutAt).toBe(requestedAt + 30_000); // TimeoutSeconds: 30

    const sweeper = fleet.sweeper();
    // Not yet due: nothing happens, and a direct time-out is refused.
    expect((await sweeper.tick(timeoutAt! - 1)).timedOut).toBe(0);
    await expect(reviews.timeOut(acme, jobId, timeoutAt! - 1)).rejects.toMatchObject({ code: "not_due" });
    expect((await fleet.getJob("acme", jobId))!.status).toBe("needs_review");

    // Due (the sweeper's clock at the deadline): the Task fails with States.Timeout, Catch runs.
    expect((await sweeper.tick(timeoutAt!)).timedOut).toBe(1);
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.output).toEqual({
      inline: {
        outcome: "escalated",
        error: "States.Timeout",
        cause: "review of AskHuman not decided within 30 s",
      },
    });
    expect(done.history.map((e) => e.type)).toContain("review_timed_out");
    // Decided (by the timeout): a late human decision and a second sweep are refused / skip.
    await expect(reviews.approve(acme, jobId, {}, { actor: ops })).rejects.toMatchObject({
      code: "not_waiting",
    });
    expect((await sweeper.tick(timeoutAt! + 60_000)).timedOut).toBe(0);
  });

  it("a human decision before the deadline wins; the sweeper then leaves the job alone", async () => {
    const jobId = await fleet.submit("acme", "review-timeout", { doc: "nda.pdf" });
    const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "needs_review");
    await reviews.approve(acme, jobId, { ok: true }, { actor: ops });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.output).toEqual({ inline: { doc: "nda.pdf", decision: { ok: true } } });
    const report = await fleet.sweeper().tick(job.review!.timeoutAt! + 1);
    expect(report.timedOut).toBe(0);
    expect((await fleet.getJob("acme", jobId))!.version).toBe(done.version);
  });

  it("a review without TimeoutSeconds has no deadline and cannot be timed out", async () => {
    const { jobId, job } = await waitingJob();
    expect(job.review!.timeoutAt).toBeUndefined();
    await expect(reviews.timeOut(acme, jobId, Date.now() + 365 * 86_400_000)).rejects.toMatchObject({
      code: "not_due",
    });
    await reviews.approve(acme, jobId, { label: "invoice" }, { actor: ops });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
  });
});
