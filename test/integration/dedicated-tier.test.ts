import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "mongodb";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { TenantRoutingError } from "../../shared/tenancy/tenant-router.ts";
import { tenantsCommand } from "../../scheduler/cli/tenants.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { newQueuedJob } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { createSweeper } from "../../workers/sweeper.ts";
import { createFairFleet, waitUntil, type FairFleet } from "./helpers/fair-fleet.ts";

/**
 * The isolation ladder, live: a `dedicated` tenant's jobs, usage counter and ledger live in its own
 * database from the scheduler's release to the worker's completion, nothing of it in the shared
 * collections; the sweeper finds its dropped jobs there; its cap holds; a tenant whose `storage` is
 * invalid is refused, field by field, and never routed to the shared database.
 */
const suffix = randomUUID().slice(0, 6);
const SHARED = "acme";
const DEDICATED = tenantId(`ded-${suffix}`);
const BROKEN = tenantId(`bad-${suffix}`);
const CAP = 2;
let ff: FairFleet;
let ownDb: Db;

const shared = () => ff.fleet.rt.fleetDb;

/** Creates a queued `sleep` job through the runtime's job store, without sending its work message. */
async function createUnsent(tenant: TenantId): Promise<string> {
  const wf = ff.catalog.get("sleep")!;
  const now = Date.now();
  const jobId = newJobId(now);
  await ff.fleet.rt.jobsOf(tenant).create(
    newQueuedJob(
      {
        jobId,
        tenantId: tenant,
        idempotencyKey: `lost-${randomUUID()}`,
        workflow: { name: wf.name, version: wf.version },
        input: await ff.fleet.rt.payloads.store(tenant, jobId, "input", { ms: 1 }),
      },
      now,
    ),
  );
  return jobId;
}

beforeAll(async () => {
  ff = await createFairFleet("dedicated", [SHARED, DEDICATED, BROKEN], 6);
  ownDb = shared().client.db(`sluice_t_${DEDICATED}`);
  await ownDb.dropDatabase();
  await ff.setQuota(DEDICATED, { tier: "dedicated", maxConcurrency: CAP, minConcurrency: 0, rate: null });
  await ff.setQuota(SHARED, { maxConcurrency: 4, minConcurrency: 0, rate: null });
  await shared()
    .collection(COLLECTIONS.tenants)
    .updateOne({ tenantId: BROKEN }, { $set: { tier: "dedicated", storage: { database: "no/slashes" } } });
  ff.fleet.rt.router.invalidate();
});
afterAll(async () => {
  await ownDb?.dropDatabase().catch(() => undefined);
  await ff?.cleanup();
});

describe("a dedicated tenant", () => {
  it("runs from release to completion in its own database, within its cap, nothing in the shared collections", async () => {
    await ff.startWorker();
    await ff.startScheduler();
    const keys = await ff.sendJobs(DEDICATED, 6, 300);
    const sharedKeys = await ff.sendJobs(SHARED, 2, 50);
    const ownJobs = ownDb.collection(COLLECTIONS.jobs);
    await waitUntil(
      async () => (await ownJobs.countDocuments({ status: "complete" })) === keys.length,
      60_000,
      "the dedicated tenant's jobs complete",
    );
    await waitUntil(
      async () => (await ff.countJobs(SHARED, { status: "complete" })) === 2,
      30_000,
      "shared jobs",
    );

    // Every job of the tenant is in its database, with its tenant id; none in the shared one.
    const docs = await ownJobs.find({}).toArray();
    expect(docs.map((d) => d["idempotencyKey"]).sort()).toEqual([...keys].sort());
    expect(docs.every((d) => d["tenantId"] === DEDICATED)).toBe(true);
    expect(await shared().collection(COLLECTIONS.jobs).countDocuments({ tenantId: DEDICATED })).toBe(0);
    expect(await shared().collection(COLLECTIONS.jobs).countDocuments({ tenantId: SHARED })).toBe(
      sharedKeys.length,
    );
    // The job store reaches them through the router.
    const one = await ff.fleet.rt.jobsOf(DEDICATED).get(String(docs[0]!["_id"]));
    expect(one?.status).toBe("complete");

    // Its cap held, and its usage and ledger live beside its jobs.
    expect(ff.steps.peak.get(DEDICATED)).toBeLessThanOrEqual(CAP);
    expect(ff.steps.peak.get(DEDICATED)).toBe(CAP);
    await waitUntil(
      async () =>
        (await ownDb.collection(COLLECTIONS.usage).findOne({ tenantId: DEDICATED }))?.["running"] === 0,
      10_000,
      "the dedicated tenant's slots given back",
    );
    expect(await ownDb.collection(COLLECTIONS.usageLedger).countDocuments({ tenantId: DEDICATED })).toBe(
      keys.length,
    );
    expect(await shared().collection(COLLECTIONS.usage).countDocuments({ tenantId: DEDICATED })).toBe(0);
    expect(await shared().collection(COLLECTIONS.usageLedger).countDocuments({ tenantId: DEDICATED })).toBe(
      0,
    );
    expect(await shared().collection(COLLECTIONS.usage).countDocuments({ tenantId: SHARED })).toBe(1);
  });

  it("the sweeper finds a job whose work message was lost in the dedicated database and re-drives it", async () => {
    const jobId = await createUnsent(DEDICATED);
    expect(await ownDb.collection(COLLECTIONS.jobs).countDocuments({ _id: jobId as never })).toBe(1);
    const sweeper = createSweeper(ff.fleet.rt, { staleQueuedMs: 1_000 });
    const report = await sweeper.tick(Date.now() + 60_000);
    expect(report).toMatchObject({ redriven: 1, errors: 0 });
    const done = await ff.fleet.waitForJob(DEDICATED, jobId, (j) => j.status === "complete", 30_000);
    expect(done.history.some((e) => e.type === "requeued")).toBe(true);
  });
});

describe("a tenant document with a bad storage field", () => {
  it("is refused field by field and its data is never routed to the shared database", async () => {
    const err = await ff.fleet.rt
      .jobsOf(BROKEN)
      .get("job-1")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TenantRoutingError);
    expect((err as TenantRoutingError).problems).toEqual([
      expect.stringMatching(/^storage\.database: must match/),
    ]);
    const create = createUnsent(BROKEN);
    await expect(create).rejects.toThrow(TenantRoutingError);
    expect(await shared().collection(COLLECTIONS.jobs).countDocuments({ tenantId: BROKEN })).toBe(0);

    const out: string[] = [];
    const deps = {
      db: shared(),
      out: (t: string) => out.push(t),
      err: (t: string) => out.push(t),
      log: silentLogger(),
    };
    expect(await tenantsCommand(["check"], deps)).toBe(1);
    expect(out.join("\n")).toMatch(/storage\.database: must match/);
    out.length = 0;
    expect(await tenantsCommand(["set", DEDICATED, 'storage.mongoUrl="http://nope"'], deps)).toBe(1);
    expect(out.join("\n")).toMatch(/storage\.mongoUrl: must be a mongodb/);
  });
});
