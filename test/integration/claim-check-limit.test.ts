/**
 * Claim-check reads are size-limited (issue 9 bug 5). Reads used to take whole objects into memory,
 * so a job whose `inputRef` named a multi-GB object killed every worker that claimed it. Now the S3
 * store checks an object's size with a HEAD before reading it (and counts while reading): over
 * SLUICE_CLAIM_CHECK_MAX_READ_BYTES the read is refused, the job fails with
 * `Sluice.PayloadTooLarge` and a reason naming the object and the limit, and the worker lives on.
 * On the real local S3, with a 1 KiB limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectTooLargeError } from "../../shared/aws/s3.ts";
import { newQueuedJob } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { PAYLOAD_TOO_LARGE } from "../../workers/job-runner.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const acme = tenantId("acme");
const LIMIT = 1024;
let fleet: TestFleet;

beforeAll(async () => {
  fleet = await createTestFleet("readlimit", { env: { SLUICE_CLAIM_CHECK_MAX_READ_BYTES: String(LIMIT) } });
});
afterAll(() => fleet?.cleanup());

/** A JSON text of exactly `bytes` bytes. */
const json = (bytes: number) => JSON.stringify({ name: "x".repeat(bytes - 11) });

describe("claim-check read limit", () => {
  it("reads an object within the limit and refuses a larger one before reading it", async () => {
    const small = await fleet.rt.blobs.put(acme, ["uploads", "small.json"], json(LIMIT));
    expect(await fleet.rt.blobs.getJson(acme, small.key)).toEqual({ name: "x".repeat(LIMIT - 11) });

    const big = await fleet.rt.blobs.put(acme, ["uploads", "big.json"], json(LIMIT + 1));
    const err = await fleet.rt.blobs.getBuffer(acme, big.key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectTooLargeError);
    expect(err).toMatchObject({ code: "TooLarge", retryable: false, size: LIMIT + 1, limit: LIMIT });
  });

  it("a job whose inputRef is too large fails with the reason; the worker goes on with other jobs", async () => {
    const worker = await fleet.startWorker();
    const { key } = await fleet.rt.blobs.put(acme, ["uploads", "huge.json"], json(64 * 1024));
    const jobId = newJobId(Date.now());
    const hello = fleet.catalog.get("hello")!;
    await fleet.rt.jobsOf(acme).create(
      newQueuedJob(
        {
          jobId,
          tenantId: acme,
          idempotencyKey: `huge-${jobId}`,
          workflow: { name: "hello", version: hello.version },
          input: { s3: { key, bytes: 0 } }, // as the scheduler stores an inputRef
        },
        Date.now(),
      ),
    );
    await fleet.sendWork("acme", jobId);
    const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "failed");
    expect(job.error).toBe(PAYLOAD_TOO_LARGE);
    expect(job.cause).toContain(key);
    expect(job.cause).toContain(`${64 * 1024} bytes, over the read limit of ${LIMIT} bytes`);
    expect(job.attempts).toBe(1);

    const ok = await fleet.submit("acme", "hello", { name: "Ada" });
    expect((await fleet.waitForJob("acme", ok, (j) => j.status === "complete")).status).toBe("complete");
    await fleet.stopWorker(worker);
  });
});
