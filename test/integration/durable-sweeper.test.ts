import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { TEST_WORKFLOW_DIRS, testSteps } from "./fixtures/steps.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const acme = tenantId("acme");
let fleet: TestFleet;

beforeAll(async () => {
  fleet = await createTestFleet("sweep", { workflowsDir: TEST_WORKFLOW_DIRS, steps: testSteps() });
});
afterAll(() => fleet?.cleanup());

const rawJobs = () => fleet.rt.fleetDb.collection(COLLECTIONS.jobs);
const claimers = (history: readonly { type: string; detail?: unknown }[]) =>
  history.filter((e) => e.type === "claimed").map((e) => (e.detail as { owner: string }).owner);

describe("waits", () => {
  it("a Wait spans a worker restart: the next worker picks the job up after the wake-up", async () => {
    const first = await fleet.startWorker({ owner: "worker-one" });
    const jobId = await fleet.submit("acme", "wait-short", { name: "Ada" });
    const resting = await fleet.waitForJob("acme", jobId, (j) => j.status === "queued" && j.wakeAt !== null);
    expect(resting.lease).toBeNull();
    await fleet.stopWorker(first);

    await fleet.startWorker({ owner: "worker-two" });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete", 20_000);
    expect(done.output).toMatchObject({ inline: { result: { message: "Hi, Ada!" } } });
    expect(claimers(done.history)).toEqual(["worker-one", "worker-two"]);
  });

  it("a due Wait longer than SQS can delay is woken by the sweeper", async () => {
    const jobId = await fleet.submit("acme", "wait-long", {});
    const resting = await fleet.waitForJob("acme", jobId, (j) => j.status === "queued" && j.wakeAt !== null);
    expect(resting.wakeAt! - Date.now()).toBeGreaterThan(3_000_000);
    await fleet.stopWorkers();
    const sweeper = fleet.sweeper();
    expect((await sweeper.tick()).woken).toBe(0); // not due yet

    // An hour later: a worker whose clock says so, and a sweeper tick at that time.
    const later = 3_600_000 + 10_000;
    const shifted = await fleet.startWorker({ now: () => Date.now() + later });
    const report = await sweeper.tick(Date.now() + later);
    expect(report).toMatchObject({ woken: 1, errors: 0 });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.output).toMatchObject({ inline: { after: { woke: true } } });
    expect(done.history.some((e) => e.type === "requeued")).toBe(true);
    await fleet.stopWorker(shifted);
    await fleet.startWorker();
  });
});

describe("recovery", () => {
  it("a lease that expires is swept; exactly one of two racing sweepers re-enqueues it", async () => {
    const jobId = await fleet.submit("acme", "hello", { name: "Grace" }, { send: false });
    const store = fleet.rt.jobsOf(acme);
    const dead = await store.claim(jobId, "dead-worker", 60_000, Date.now());
    expect(dead.ok).toBe(true);

    const a = fleet.sweeper();
    const b = fleet.sweeper({ rt: await fleet.runtime() });
    expect((await a.tick()).expired).toBe(0); // lease still live

    await rawJobs().updateOne({ _id: jobId as never }, { $set: { "lease.expiresAt": Date.now() - 1 } });
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect(ra.expired + rb.expired).toBe(1);
    expect(ra.errors + rb.errors).toBe(0);

    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.history.map((e) => e.type)).toContain("lease_expired");
    expect(claimers(done.history)[0]).toBe("dead-worker");
    expect(claimers(done.history)).toHaveLength(2);
    expect((await a.tick()).expired).toBe(0); // idempotent
  });

  it("a queued job whose work message is gone is re-driven once it is stale", async () => {
    const jobId = await fleet.submit("acme", "hello", { name: "Edsger" }, { send: false });
    const sweeper = fleet.sweeper({ staleQueuedMs: 60_000 });
    expect((await sweeper.tick()).redriven).toBe(0); // fresh: its message may still be on its way

    const report = await sweeper.tick(Date.now() + 61_000);
    expect(report.redriven).toBe(1);
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    expect(done.output).toMatchObject({ inline: { result: { message: "Hello, Edsger!" } } });
  });
});
