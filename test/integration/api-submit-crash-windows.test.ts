import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../../api/errors.ts";
import type { JobsApiDeps } from "../../api/jobs/jobs-deps.ts";
import { jobsApiDeps } from "../../api/jobs/jobs-runtime.ts";
import { submitJob } from "../../api/jobs/submit.ts";
import { createRejecter } from "../../scheduler/intake/reject.ts";
import { releaseMessage, type ReleaseDeps } from "../../scheduler/intake/release-message.ts";
import type { ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import { queuedJobDoc } from "../../shared/jobs/job-doc.ts";
import { keyedJobId } from "../../shared/jobs/job-id.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { payloadHash } from "../../shared/messages/payload-hash.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { createWorkflowVersions } from "../../shared/workflows/versions.ts";
import { createSweeper } from "../../workers/sweeper.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

/**
 * ADR 0026: a submission inserts the job first (the unique key decides), then sends its intake
 * message, then confirms the send in a batch. Every window between those steps is built here as the
 * dead state a crash leaves, and the sweeper's `tick()` (or the client's retry) is shown to finish it:
 * the intake message is sent exactly when it may be missing, the release creates one job, and a
 * reused key with another body never sends anything.
 */
const acme = tenantId("acme");
const settings = { uploadMaxBytes: 1024 * 1024, urlTtlSeconds: 60, cursorSecret: "s" };
const REDRIVE_MS = 60_000;
let fleet: TestFleet;
let deps: JobsApiDeps;
let flush: () => Promise<void>;

beforeAll(async () => {
  fleet = await createTestFleet("api-crash", { tenants: ["acme"] });
  ({ deps, flush } = jobsApiDeps(fleet.rt, fleet.catalog, settings));
});
afterAll(() => fleet?.cleanup());

const acmeP = { tenantId: acme, subject: "alice" };
const body = (name: string) => ({ workflow: "hello", input: { name } });

async function intakeMessages(): Promise<ReceivedMessage[]> {
  const { queueUrl } = await fleet.rt.queues.intake(acme);
  const all: ReceivedMessage[] = [];
  for (;;) {
    const batch = await fleet.rt.sqs.receive(queueUrl, { maxMessages: 10, waitSeconds: 0 });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function releaser(): ReleaseDeps {
  const workflows = createWorkflowVersions(fleet.rt, fleet.catalog);
  return {
    sqs: fleet.rt.sqs,
    workQueueUrl: fleet.rt.queues.work,
    jobs: fleet.rt.jobsOf(acme),
    reject: createRejecter({ sqs: fleet.rt.sqs, blobs: fleet.rt.blobs }),
    workflowVersion: (name: string) => workflows.current(name),
    now: Date.now,
    log: fleet.rt.log,
  };
}

async function release(m: ReceivedMessage) {
  return releaseMessage(releaser(), acme, await fleet.rt.queues.intake(acme), m);
}

/** The API's deps with SQS sends failing (an SQS outage, or the process dying at the send). */
function failingSends(): { deps: JobsApiDeps; sends: () => number } {
  let n = 0;
  return {
    deps: {
      ...deps,
      sqs: {
        send: async () => {
          n++;
          throw Object.assign(new Error("connect ECONNREFUSED"), { name: "SqsUnavailable" });
        },
        approximateDepth: (url) => deps.sqs.approximateDepth(url),
      },
    },
    sends: () => n,
  };
}

/** The sweeper with the tick at `now` + the redrive age: what a later sweep does. */
const sweepLater = (ms = REDRIVE_MS + 1_000) =>
  createSweeper(fleet.rt, { staleQueuedMs: REDRIVE_MS }).tick(Date.now() + ms);

const jobCount = (key: string) =>
  fleet.rt.fleetDb.collection(COLLECTIONS.jobs).countDocuments({ tenantId: acme, idempotencyKey: key });

const status = async (p: Promise<unknown>) => {
  try {
    await p;
    return "ok";
  } catch (err) {
    if (err instanceof ApiError) return `${err.status} ${err.code}`;
    throw err;
  }
};

describe("submission order: insert, send, confirm (ADR 0026)", () => {
  it("same key and same body: the same job, its message sent once", async () => {
    const first = await submitJob(deps, acmeP, body("Ada"), "same-1");
    await flush();
    const again = await submitJob(deps, acmeP, body("Ada"), "same-1");
    expect(again).toMatchObject({ created: false, job: { _id: first.job._id } });
    const messages = await intakeMessages();
    expect(messages.map((m) => JSON.parse(m.body).jobId)).toEqual([first.job._id]);
    expect(await jobCount("same-1")).toBe(1);
  });

  it("same key and another body: 409 and nothing sent, even before the first send was confirmed", async () => {
    const first = await submitJob(deps, acmeP, body("Ada"), "other-1");
    // Not flushed: the first job still has intakePending, the case where a same-body retry re-sends.
    expect(await status(submitJob(deps, acmeP, body("Bob"), "other-1"))).toBe("409 idempotency_conflict");
    expect(await status(submitJob(deps, acmeP, { workflow: "hello" }, "other-1"))).toBe(
      "409 idempotency_conflict",
    );
    const messages = await intakeMessages();
    expect(messages.map((m) => JSON.parse(m.body).jobId)).toEqual([first.job._id]);
    const job = await fleet.getJob("acme", first.job._id);
    expect(job?.payloadHash).toBe(payloadHash(body("Ada")));
    await flush();
  });

  it("concurrent requests with one key and two bodies: one job, one 409, one message (the winner's)", async () => {
    const keys = ["race-1", "race-2", "race-3", "race-4", "race-5"];
    const one = (key: string, name: string) =>
      submitJob(deps, acmeP, body(name), key).then(
        (r) => r.job._id,
        (e: unknown) => e,
      );
    const results = await Promise.all(keys.flatMap((key) => [one(key, `A-${key}`), one(key, `B-${key}`)]));
    await flush();
    const messages = (await intakeMessages()).map((m) => JSON.parse(m.body) as { jobId: string });
    const winners = results.filter((r): r is string => typeof r === "string");
    const refused = results.filter((r) => r instanceof ApiError);
    expect(winners).toHaveLength(keys.length);
    expect(refused.map((e) => (e as ApiError).code)).toEqual(keys.map(() => "idempotency_conflict"));
    expect(messages.map((m) => m.jobId).sort()).toEqual([...winners].sort());
  });

  it("a failed send answers 503 with the job recorded; the retry with the key sends it", async () => {
    const failing = failingSends();
    const err = await submitJob(failing.deps, acmeP, body("Cy"), "fail-1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 503, code: "unavailable" });
    const jobId = (err as ApiError).details?.["jobId"] as string;
    expect(failing.sends()).toBe(1);
    expect(await intakeMessages()).toHaveLength(0);
    expect(await fleet.getJob("acme", jobId)).toMatchObject({ awaitingRelease: true, intakePending: true });

    const retry = await submitJob(deps, acmeP, body("Cy"), "fail-1");
    expect(retry).toMatchObject({ created: false, job: { _id: jobId } });
    await flush();
    expect(await fleet.getJob("acme", jobId)).not.toHaveProperty("intakePending");
    const [m, ...more] = await intakeMessages();
    expect(more).toHaveLength(0);
    expect(await release(m!)).toMatchObject({ kind: "released", jobId, created: false });
    expect(await fleet.getJob("acme", jobId)).toMatchObject({ status: "queued", awaitingRelease: false });
    expect(await jobCount("fail-1")).toBe(1);
  });

  it("crash between insert and send: the sweeper sends the message, rebuilt; the release adopts the job", async () => {
    // The dead state: the document as the API inserts it, no message, no confirmation.
    const now = Date.now();
    const jobId = keyedJobId(acme, "dead-1", now);
    const input = { name: "Di", nested: { b: 2, a: [1, 2] } };
    await fleet.rt.jobsOf(acme).create(
      queuedJobDoc(
        {
          jobId,
          tenantId: acme,
          idempotencyKey: "dead-1",
          workflow: { name: "hello", version: (await workflowVersion("hello")) as string },
          input: { inline: input },
          priority: 2,
          payloadHash: payloadHash({ workflow: "hello", input }),
          awaitingRelease: true,
          intakePending: true,
        },
        now,
      ),
    );
    // Younger than the redrive age: left alone (the API may still be about to send it).
    expect(await createSweeper(fleet.rt, { staleQueuedMs: REDRIVE_MS }).tick(now + 1_000)).toMatchObject({
      resent: 0,
      errors: 0,
    });
    expect(await intakeMessages()).toHaveLength(0);

    expect(await sweepLater()).toMatchObject({ resent: 1, errors: 0 });
    const [m, ...more] = await intakeMessages();
    expect(more).toHaveLength(0);
    expect(JSON.parse(m!.body)).toEqual({
      tenantId: "acme",
      workflow: "hello",
      idempotencyKey: "dead-1",
      input,
      priority: "high",
      jobId,
    });
    expect(await fleet.getJob("acme", jobId)).not.toHaveProperty("intakePending");
    // Confirmed: the next sweep sends nothing.
    expect(await sweepLater()).toMatchObject({ resent: 0 });
    expect(await intakeMessages()).toHaveLength(0);
    // The rebuilt message carries the job's payload hash: the release adopts it (not a conflict).
    expect(await release(m!)).toMatchObject({ kind: "released", jobId, created: false });
    expect(await fleet.getJob("acme", jobId)).toMatchObject({ status: "queued", awaitingRelease: false });
  });

  it("crash between send and confirmation: the sweeper's copy is a duplicate the release takes once", async () => {
    // The dead state: the API sent the message and died before its confirmation was written.
    const unconfirmed: JobsApiDeps = { ...deps, intakeSent: () => undefined };
    const r = await submitJob(unconfirmed, acmeP, body("Ed"), "unconf-1");
    expect(await fleet.getJob("acme", r.job._id)).toMatchObject({ intakePending: true });
    expect(await sweepLater()).toMatchObject({ resent: 1, errors: 0 });
    const messages = await intakeMessages();
    expect(messages).toHaveLength(2);
    const sent = messages.map(
      (m) => JSON.parse(m.body) as { jobId: string; workflow: string; input: unknown },
    );
    expect(sent.map((m) => m.jobId)).toEqual([r.job._id, r.job._id]);
    expect(sent.map((m) => payloadHash(m))).toEqual([r.job.payloadHash, r.job.payloadHash]);
    const outcomes = [await release(messages[0]!), await release(messages[1]!)];
    expect(outcomes[0]).toMatchObject({ kind: "released", jobId: r.job._id });
    // The second finds the job released: still queued, its work message is sent again (a no-op for
    // workers, who claim with a CAS); never a second job, never a conflict.
    expect(outcomes[1]).toMatchObject({ jobId: r.job._id });
    expect(outcomes[1]?.kind).not.toBe("rejected");
    expect(await jobCount("unconf-1")).toBe(1);
  });

  it("a job released, cancelled or confirmed is never sent again by the sweeper", async () => {
    const unconfirmed: JobsApiDeps = { ...deps, intakeSent: () => undefined };
    const released = await submitJob(unconfirmed, acmeP, body("F1"), "never-1");
    const cancelled = await submitJob(unconfirmed, acmeP, body("F2"), "never-2");
    const confirmed = await submitJob(deps, acmeP, body("F3"), "never-3");
    await flush();
    const messages = await intakeMessages();
    expect(messages).toHaveLength(3);
    const m1 = messages.find((m) => JSON.parse(m.body).jobId === released.job._id);
    expect(await release(m1!)).toMatchObject({ kind: "released", jobId: released.job._id });
    expect(await fleet.rt.jobsOf(acme).cancel(cancelled.job._id, Date.now())).toMatchObject({ ok: true });
    expect(await sweepLater()).toMatchObject({ resent: 0, errors: 0 });
    expect(await intakeMessages()).toHaveLength(0);
    expect(await fleet.getJob("acme", confirmed.job._id)).not.toHaveProperty("intakePending");
  });

  it("a recorded job whose message cannot be rebuilt (payload hash edited) is failed, not re-sent", async () => {
    const failing = failingSends();
    const err = await submitJob(failing.deps, acmeP, body("G"), "broken-1").catch((e: unknown) => e);
    const jobId = (err as ApiError).details?.["jobId"] as string;
    await fleet.rt.fleetDb
      .collection(COLLECTIONS.jobs)
      .updateOne({ _id: jobId as never }, { $set: { payloadHash: `sha256:${"0".repeat(64)}` } });
    expect(await sweepLater()).toMatchObject({ resent: 0, errors: 0 });
    expect(await intakeMessages()).toHaveLength(0);
    expect(await fleet.getJob("acme", jobId)).toMatchObject({
      status: "failed",
      error: "Sluice.IntakeRejected",
      awaitingRelease: false,
    });
  });
});

async function workflowVersion(name: string): Promise<string | undefined> {
  const check = await deps.workflowVersion(name);
  return check.ok ? check.version : undefined;
}
