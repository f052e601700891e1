/**
 * A `defineStep` step in a job on the real stack: `ctx.blobs` reads the tenant's objects (size-limited)
 * and writes under the job's prefix, another tenant's key fails the job with `Sluice.ForbiddenKey`,
 * schemas on both sides fail it with `Sluice.InvalidStepInput` / `InvalidStepOutput`, and
 * `ctx.settings` is the tenant document's `steps.<name>`.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { STATEMACHINES_DIR } from "../../shared/runtime/runtime.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { defaultSteps } from "../../workers/steps/index.ts";
import { sdkCopy } from "./fixtures/sdk-steps.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

let fleet: TestFleet;
const acme = tenantId("acme");
const globex = tenantId("globex");

beforeAll(async () => {
  fleet = await createTestFleet("sdk", {
    tenants: ["acme", "globex"],
    steps: defaultSteps().add(sdkCopy),
    workflowsDir: [STATEMACHINES_DIR, resolve(import.meta.dirname, "fixtures/sdk-workflows")],
  });
  await fleet.rt.fleetDb
    .collection(COLLECTIONS.tenants)
    .updateOne({ tenantId: "acme" }, { $set: { steps: { "sdk-copy": { suffix: "!" } } } });
  await fleet.startWorker();
}, 60_000);
afterAll(() => fleet?.cleanup());

async function run(tenant: string, input: unknown) {
  const jobId = await fleet.submit(tenant, "sdk-blobs", input);
  return fleet.waitForJob(tenant, jobId, (j) => j.status === "complete" || j.status === "failed");
}

describe("step SDK in a job (real S3 and MongoDB)", () => {
  it("reads the tenant's object, writes under the job's prefix and gets the tenant's step settings", async () => {
    const { key } = await fleet.rt.blobs.put(acme, ["uploads", "a.txt"], "hello blobs");
    const job = await run("acme", { source: key });
    expect(job.status, JSON.stringify(job.error ?? job.cause)).toBe("complete");
    const out = job.output as { inline: { key: string; text: string; listed: string[]; settings: unknown } };
    const expected = `tenants/acme/jobs/${job._id}/out/copy.txt`;
    expect(out.inline).toMatchObject({ key: expected, text: "hello blobs", settings: { suffix: "!" } });
    expect(out.inline.listed).toEqual([expected]);
    expect(await fleet.rt.blobs.getString(acme, ["jobs", job._id, "out", "copy.txt"])).toBe("HELLO BLOBS!");
  });

  it("a tenant without settings gets the schema's defaults", async () => {
    const { key } = await fleet.rt.blobs.put(globex, ["uploads", "g.txt"], "globex");
    const job = await run("globex", { source: key });
    expect(job.status, JSON.stringify(job.cause)).toBe("complete");
    expect(job.output).toMatchObject({ inline: { settings: { suffix: "" } } });
  });

  it("another tenant's key fails the job with Sluice.ForbiddenKey and reads nothing", async () => {
    const { key } = await fleet.rt.blobs.put(globex, ["uploads", "secret.txt"], "globex secret");
    const job = await run("acme", { source: key });
    expect(job.status).toBe("failed");
    expect(job.error).toBe("Sluice.ForbiddenKey");
    expect(job.cause).toContain("does not belong to tenant acme");
    expect(JSON.stringify(job)).not.toContain("globex secret");
  });

  it("a malformed key fails with Sluice.ForbiddenKey", async () => {
    const job = await run("acme", { source: "tenants/acme/../globex/uploads/secret.txt" });
    expect(job.error).toBe("Sluice.ForbiddenKey");
  });

  it("an object over maxBytes fails with Sluice.PayloadTooLarge", async () => {
    const { key } = await fleet.rt.blobs.put(acme, ["uploads", "big.txt"], "x".repeat(2048));
    const job = await run("acme", { source: key, maxBytes: 1024 });
    expect(job.status).toBe("failed");
    expect(job.error).toBe("Sluice.PayloadTooLarge");
  });

  it("a missing object fails with Sluice.BlobNotFound", async () => {
    const job = await run("acme", { source: "tenants/acme/uploads/none.txt" });
    expect(job.error).toBe("Sluice.BlobNotFound");
  });

  it("input and output are validated: Sluice.InvalidStepInput / Sluice.InvalidStepOutput with the field", async () => {
    const bad = await run("acme", { source: 42 });
    expect(bad.error).toBe("Sluice.InvalidStepInput");
    expect(bad.cause).toContain("source");
    const { key } = await fleet.rt.blobs.put(acme, ["uploads", "o.txt"], "o");
    const badOut = await run("acme", { source: key, badOutput: true });
    expect(badOut.error).toBe("Sluice.InvalidStepOutput");
    expect(badOut.cause).toContain("bytes");
  });
});
