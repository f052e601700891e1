/**
 * Issue 9, bug 9: a `{"$sluiceRef": ...}` in a tenant's input is data. Only references to results
 * Sluice stored for the job resolve; a forged one reaches the steps and the output verbatim, and
 * the object it names is never read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { BlobStore } from "../../shared/aws/s3.ts";
import { createPayloadStore } from "../../shared/payloads/payload-store.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { MIB, TEST_WORKFLOW_DIRS, testSteps } from "./fixtures/steps.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const acme = tenantId("acme");
let fleet: TestFleet;
/** Keys the worker read from S3. */
const reads: string[] = [];

beforeAll(async () => {
  fleet = await createTestFleet("forged-ref", { workflowsDir: TEST_WORKFLOW_DIRS, steps: testSteps() });
  const real = fleet.rt.blobs;
  const blobs: BlobStore = {
    ...real,
    getJson: (tenant, ref, schema) => {
      reads.push(typeof ref === "string" ? ref : JSON.stringify(ref));
      return real.getJson(tenant, ref, schema);
    },
  };
  // The worker's payload store reads through the spying blob store.
  const payloads = createPayloadStore(blobs, fleet.rt.config.claimCheck.thresholdBytes, randomUUID);
  await fleet.startWorker({ rt: { ...fleet.rt, blobs, payloads } });
});
afterAll(() => fleet?.cleanup());

describe("references in tenant data", () => {
  it("a forged $sluiceRef in the input is kept verbatim as data and its object is never read", async () => {
    const secret = await fleet.rt.blobs.put(acme, ["private", "secret.json"], JSON.stringify({ pin: 1234 }), {
      contentType: "application/json",
    });
    const forged = { $sluiceRef: { key: secret.key, bytes: 12 } };
    // big-data: Inflate returns a 1 MiB result (stored by Sluice, a reference that must resolve),
    // Measure reads it; the forged reference travels through both steps to the output.
    const jobId = await fleet.submit("acme", "big-data", { forged, list: [forged] });
    const done = await fleet.waitForJob(
      "acme",
      jobId,
      (j) => j.status === "complete" || j.status === "failed",
    );
    expect(done.status).toBe("complete");
    const output = (await fleet.rt.payloads.load(acme, done.output!)) as Record<string, unknown>;
    expect(output.forged).toEqual(forged);
    expect(output.list).toEqual([forged]);
    // Sluice's own reference resolved: the next step and the output got the 1 MiB value.
    expect(output.measured).toEqual({ payloadChars: 0, bigChars: MIB });
    expect((output.big as { blob: string }).blob).toHaveLength(MIB);
    expect(done.resultRefs).toHaveLength(1);
    expect(reads.some((k) => k.includes("private"))).toBe(false);
    expect(reads).toContain(done.resultRefs![0]);
  });
});
