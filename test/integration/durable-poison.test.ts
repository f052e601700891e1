import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { attrValue, type ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import { newQueuedJob } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import type { JobRunOutcome } from "../../shared/fleet/job-rested.ts";
import { POISON_ERROR } from "../../workers/worker.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const acme = tenantId("acme");
let fleet: TestFleet;
/** What the worker told its "job rested" hook (the usage accounting gives slots back from it). */
const rested: { jobId: string; outcome: JobRunOutcome }[] = [];

beforeAll(async () => {
  fleet = await createTestFleet("poison", {
    env: { SLUICE_VISIBILITY_TIMEOUT_SECONDS: "1", SLUICE_DLQ_MAX_RECEIVE_COUNT: "3" },
  });
  await fleet.startWorker({
    onSettled: async (job, outcome) => {
      rested.push({ jobId: job.jobId, outcome });
    },
  });
});
afterAll(() => fleet?.cleanup());

/** Reads the work DLQ until `match` finds a message (messages are left in place). */
async function fromDlq(match: (m: ReceivedMessage) => boolean): Promise<ReceivedMessage> {
  for (let i = 0; i < 30; i++) {
    const got = await fleet.rt.sqs.receive(fleet.rt.queues.workDlq, {
      maxMessages: 10,
      waitSeconds: 1,
      visibilityTimeout: 0,
    });
    const hit = got.find(match);
    if (hit) return hit;
  }
  throw new Error("no such message on the work DLQ");
}

describe("poison and garbage", () => {
  it("a message whose handling keeps failing goes to the DLQ after the last receive; the job fails with the reason", async () => {
    // The job's input object is missing from S3: loading it throws on every delivery.
    const jobId = newJobId(Date.now());
    const hello = fleet.catalog.get("hello")!;
    await fleet.rt.jobsOf(acme).create(
      newQueuedJob(
        {
          jobId,
          tenantId: acme,
          idempotencyKey: `poison-${jobId}`,
          workflow: { name: "hello", version: hello.version },
          input: { s3: { key: `tenants/acme/jobs/${jobId}/input.json`, bytes: 10 } },
        },
        Date.now(),
      ),
    );
    await fleet.sendWork("acme", jobId);

    const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "failed", 30_000);
    expect(job.error).toBe(POISON_ERROR);
    expect(job.cause).toMatch(/failed on 3 receives; last error: /);
    expect(job.attempts).toBe(3);
    expect(job.lease).toBeNull();
    // The job is terminal: its running slot is given back now, not at the next reconcile.
    await vi.waitFor(() =>
      expect(rested.filter((r) => r.jobId === jobId).map((r) => r.outcome)).toEqual([
        { kind: "finished", status: "failed" },
      ]),
    );

    const dead = await fromDlq((m) => m.body.includes(jobId));
    expect(attrValue(dead.attributes, "reason")).toMatch(/failed on 3 receives/);
    expect(attrValue(dead.attributes, "receiveCount")).toBe("3");
  });

  it("a garbage body goes to the DLQ with a reason", async () => {
    await fleet.rt.sqs.send(fleet.rt.queues.work, { body: "{not json" });
    const dead = await fromDlq((m) => m.body === "{not json");
    expect(attrValue(dead.attributes, "reason")).toMatch(/^malformed JSON/);
  });

  it("a body that names a known job but is otherwise invalid is rejected and recorded on the job", async () => {
    const jobId = await fleet.submit("acme", "hello", { name: "Ada" }, { send: false });
    const body = JSON.stringify({ tenantId: "acme", jobId, priority: "urgent" });
    await fleet.rt.sqs.send(fleet.rt.queues.work, { body });
    const dead = await fromDlq((m) => m.body === body);
    expect(attrValue(dead.attributes, "reason")).toMatch(/invalid work message/);
    const job = await fleet.waitForJob("acme", jobId, (j) =>
      j.history.some((e) => e.type === "work_message_rejected"),
    );
    expect(job.status).toBe("queued");
    expect(job.version).toBe(0); // a note, not a state change
  });
});
