import { BSON } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SQS_MAX_PAYLOAD_BYTES, messageSize, type SqsPort } from "../../shared/aws/sqs-port.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { MIB, TEST_WORKFLOW_DIRS, testSteps } from "./fixtures/steps.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const acme = tenantId("acme");
let fleet: TestFleet;
const sentSizes: number[] = [];
let largestDoc = 0;
let recordingSqs: SqsPort;

beforeAll(async () => {
  fleet = await createTestFleet("bigdata", { workflowsDir: TEST_WORKFLOW_DIRS, steps: testSteps() });
  const sqs: SqsPort = (recordingSqs = {
    ...fleet.rt.sqs,
    send: (url, m) => {
      sentSizes.push(messageSize(m));
      return fleet.rt.sqs.send(url, m);
    },
  });
  await fleet.startWorker({ rt: { ...fleet.rt, sqs } });
});
afterAll(() => fleet?.cleanup());

describe("claim check", () => {
  it("a 1 MiB input and a 1 MiB step result pass through S3; no document or message over its limit", async () => {
    const payload = "p".repeat(MIB);
    const jobId = await fleet.submit("acme", "big-data", { payload }, { send: false });
    await recordingSqs.send(fleet.rt.queues.work, { body: JSON.stringify({ tenantId: acme, jobId }) });
    const raw = fleet.rt.fleetDb.collection(COLLECTIONS.jobs);
    let done;
    for (let i = 0; i < 300 && !done; i++) {
      const doc = await raw.findOne({ _id: jobId as never });
      if (doc) largestDoc = Math.max(largestDoc, BSON.calculateObjectSize(doc));
      if (doc?.status === "complete" || doc?.status === "failed") done = doc;
      else await new Promise((r) => setTimeout(r, 20));
    }
    const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(job.input).toMatchObject({ s3: { key: expect.stringMatching(`^tenants/acme/jobs/${jobId}/`) } });
    expect(job.output).toMatchObject({ s3: { key: expect.stringMatching(`^tenants/acme/jobs/${jobId}/`) } });
    expect(job.execution).toBeNull();
    expect(job.executionRef).toMatchObject({
      key: expect.stringMatching(`^tenants/acme/jobs/${jobId}/execution/`),
    });

    const output = (await fleet.rt.payloads.load(acme, job.output!)) as {
      payload: string;
      big: { blob: string };
      measured: { payloadChars: number; bigChars: number };
    };
    expect(output.payload.length).toBe(MIB);
    expect(output.big.blob.length).toBe(MIB);
    expect(output.measured).toEqual({ payloadChars: MIB, bigChars: MIB }); // the next step saw real values

    expect(largestDoc).toBeGreaterThan(0);
    expect(largestDoc).toBeLessThan(64 * 1024);
    expect(sentSizes.length).toBeGreaterThan(0);
    expect(Math.max(0, ...sentSizes)).toBeLessThan(SQS_MAX_PAYLOAD_BYTES);
    // Superseded execution checkpoints were removed: one execution object remains.
    // (The delete follows the final CAS, so give it a moment.)
    let objects = await fleet.rt.blobs.list(acme, { under: ["jobs", jobId, "execution"] });
    for (let i = 0; i < 50 && objects.items.length > 1; i++) {
      await new Promise((r) => setTimeout(r, 50));
      objects = await fleet.rt.blobs.list(acme, { under: ["jobs", jobId, "execution"] });
    }
    expect(objects.items).toHaveLength(1);
  });
});
