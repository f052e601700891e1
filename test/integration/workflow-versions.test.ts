/**
 * Workflow versions (issue 9, bug 13): a job finishes on the definition it started on, whatever its
 * file says later; new jobs take the file's current version; an invalid file is refused on its own
 * while every valid workflow keeps running. Real stack: the versions live in `workflow_versions`.
 */
import { randomUUID } from "node:crypto";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attrValue } from "../../shared/aws/sqs-port.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { STATEMACHINES_DIR } from "../../shared/runtime/runtime.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { reviewCommand } from "../../workers/cli/review.ts";
import { createReviews } from "../../workers/review.ts";
import { createFairFleet, FIXTURE_WORKFLOWS, waitUntil, type FairFleet } from "./helpers/fair-fleet.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { releaseTick } from "./helpers/release-driver.ts";
import type { AuditActor } from "../../shared/audit/audit-log.ts";

const ops: AuditActor = { kind: "os", subject: "ops" };

const acme = tenantId("acme");
const INVOICE = { text: "Invoice 42: total amount due 300 EUR, payment within 30 days." };
/** A definition the engine refuses: `Next` names a state that does not exist. */
const BROKEN = JSON.stringify({
  StartAt: "A",
  States: { A: { Type: "Pass", Next: "Nowhere" } },
});

/** review-demo with one edit: its final Pass adds `edition: 2` to the output. */
async function editedReviewDemo(): Promise<string> {
  const def = JSON.parse(await readFile(join(STATEMACHINES_DIR, "review-demo.asl.json"), "utf8"));
  def.States.Finish.Parameters.edition = 2;
  return JSON.stringify(def, null, 2);
}

describe("workflow versions", () => {
  let fleet: TestFleet;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-wf-"));
    for (const f of ["review-demo.asl.json", "hello.asl.json"]) {
      await copyFile(join(STATEMACHINES_DIR, f), join(dir, f));
    }
    fleet = await createTestFleet("wfversions", { workflowsDir: dir });
  });
  afterAll(async () => {
    await fleet?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  async function sendIntake(workflow: string, input: unknown): Promise<string> {
    const idempotencyKey = `k-${randomUUID()}`;
    const { queueUrl } = await fleet.rt.queues.intake(acme);
    await fleet.rt.sqs.send(queueUrl, {
      body: JSON.stringify({ tenantId: acme, workflow, idempotencyKey, input }),
    });
    return idempotencyKey;
  }
  async function releasedJob(key: string, catalog = fleet.catalog): Promise<JobDoc> {
    expect((await releaseTick(fleet.rt, catalog, fleet.tenants, 1)).released).toBe(1);
    const job = await fleet.rt.jobsOf(acme).findByIdempotencyKey(key);
    expect(job).not.toBeNull();
    return job!;
  }
  const storedVersion = (version: string) =>
    fleet.rt.fleetDb.collection(COLLECTIONS.workflowVersions).findOne({ _id: version as never });

  it("a job parked for review is approved and finishes on its original version after the file is edited; a new job takes the new version", async () => {
    const v1 = fleet.catalog.get("review-demo")!.version;
    const jobA = await releasedJob(await sendIntake("review-demo", INVOICE));
    expect(jobA.workflow.version).toBe(v1);
    // Recorded before the job was created.
    expect(await storedVersion(v1)).toMatchObject({ _id: v1, name: "review-demo" });

    const w1 = await fleet.startWorker();
    await fleet.waitForJob("acme", jobA._id, (j) => j.status === "needs_review");
    await fleet.stopWorker(w1);

    // The operator edits the workflow, and a broken file lands beside it.
    await writeFile(join(dir, "review-demo.asl.json"), await editedReviewDemo());
    await writeFile(join(dir, "broken.asl.json"), BROKEN);
    const catalogV2 = await fleet.loadCatalog(fleet.steps);
    const v2 = catalogV2.get("review-demo")!.version;
    expect(v2).not.toBe(v1);
    expect(catalogV2.invalid("broken")?.problems.join("\n")).toMatch(/broken\.asl\.json: \/States\/A/);
    // A worker holding the edited definition, and the CLI reading the edited files.
    await fleet.startWorker({ catalog: catalogV2 });

    const saved = { ...process.env };
    Object.assign(
      process.env,
      { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", LOG_LEVEL: "silent" },
      fleet.env,
    );
    try {
      expect(await reviewCommand(["list", "acme"], { workflowsDir: dir })).toBe(0);
      const approve = ["approve", "acme", jobA._id, "--output", '{"label":"invoice"}'];
      expect(await reviewCommand(approve, { workflowsDir: dir })).toBe(0);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    const doneA = await fleet.waitForJob(
      "acme",
      jobA._id,
      (j) => j.status !== "needs_review" && j.status !== "queued" && j.status !== "running",
    );
    expect(doneA.error).toBeNull();
    expect(doneA.status).toBe("complete");
    // The original definition's output: no `edition`.
    expect(doneA.output).toEqual({
      inline: { outcome: "approved", label: "invoice", decision: { label: "invoice" } },
    });

    // A new job takes the file's current version, recorded first, and runs it.
    const jobB = await releasedJob(await sendIntake("review-demo", INVOICE), catalogV2);
    expect(jobB.workflow.version).toBe(v2);
    expect(await storedVersion(v2)).toMatchObject({ _id: v2, name: "review-demo" });
    await fleet.waitForJob("acme", jobB._id, (j) => j.status === "needs_review");
    await createReviews(fleet.rt, catalogV2).approve(acme, jobB._id, { label: "invoice" }, { actor: ops });
    const doneB = await fleet.waitForJob("acme", jobB._id, (j) => j.status === "complete");
    expect(doneB.output).toEqual({
      inline: { outcome: "approved", label: "invoice", decision: { label: "invoice" }, edition: 2 },
    });
  });

  it("a job whose version is gone from the files still runs, from MongoDB", async () => {
    await fleet.stopWorkers();
    const key = await sendIntake("hello", { name: "Ada" });
    const job = await releasedJob(key); // created on hello's version, recorded in MongoDB
    // The fleet's files no longer have hello at all.
    const gone = await mkdtemp(join(tmpdir(), "sluice-wf-gone-"));
    try {
      await writeFile(join(gone, "review-demo.asl.json"), await editedReviewDemo());
      const catalogGone = await fleet.loadCatalog(fleet.steps, gone);
      expect(catalogGone.get("hello")).toBeUndefined();
      await fleet.startWorker({ catalog: catalogGone });
      const done = await fleet.waitForJob(
        "acme",
        job._id,
        (j) => j.status === "complete" || j.status === "failed",
      );
      expect({ status: done.status, error: done.error }).toEqual({ status: "complete", error: null });
      expect(done.output).toMatchObject({ inline: { name: "Ada", greeting: "Hello" } });
    } finally {
      await fleet.stopWorkers();
      await rm(gone, { recursive: true, force: true });
    }
  });
});

describe("an invalid workflow file beside valid ones", () => {
  let fair: FairFleet;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-wf-bad-"));
    await copyFile(join(FIXTURE_WORKFLOWS, "sleep.asl.json"), join(dir, "sleep.asl.json"));
    await writeFile(join(dir, "broken.asl.json"), BROKEN);
    fair = await createFairFleet("wfinvalid", ["acme"], 4, { workflowsDir: dir });
  });
  afterAll(async () => {
    await fair?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("worker and scheduler start and run the valid workflows; a job of the invalid one is rejected with the problem", async () => {
    expect(fair.catalog.names()).toEqual(["sleep"]);
    await fair.startWorker();
    await fair.startScheduler();
    const keys = await fair.sendJobs("acme", 3, 10);
    const { queueUrl, dlqUrl } = await fair.fleet.rt.queues.intake(acme);
    await fair.fleet.rt.sqs.send(queueUrl, {
      body: JSON.stringify({ tenantId: "acme", workflow: "broken", idempotencyKey: "k-broken", input: {} }),
    });
    await waitUntil(
      async () => (await fair.countJobs("acme", { status: "complete" })) === keys.length,
      30_000,
      "the valid jobs to complete",
    );
    let reason: string | undefined;
    await waitUntil(
      async () => {
        for (const m of await fair.fleet.rt.sqs.receive(dlqUrl, { maxMessages: 10, waitSeconds: 1 })) {
          reason = attrValue(m.attributes, "reason");
        }
        return reason !== undefined;
      },
      30_000,
      "the rejection of the broken workflow's job",
    );
    expect(reason).toMatch(/^invalid workflow "broken": broken\.asl\.json: \/States\/A/);
    expect(await fair.countJobs("acme", { "workflow.name": "broken" })).toBe(0);
  });
});
