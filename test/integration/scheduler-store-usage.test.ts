import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Collection, Db } from "mongodb";
import { connectMongo } from "../../shared/mongo/client.ts";
import type { MongoHandle } from "../../shared/mongo/client.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import type { UsageDoc } from "../../shared/usage/usage-store.ts";
import { testConfig } from "./helpers/env.ts";
import { testDatabase } from "./helpers/mongo.ts";
import { oneDbRouter } from "../support/one-db-router.ts";

const ACME = tenantId("acme");
const GLOBEX = tenantId("globex");
const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const SETTLE = 10_000;

describe("UsageStore: running counts under concurrency", () => {
  let db: Db;
  let drop: () => Promise<void>;
  let replica: MongoHandle;
  let replicaDb: Db;
  let usage: Collection<UsageDoc>;
  let jobs: Collection<JobDoc>;
  let now = T0;
  const clock = () => now;

  beforeAll(async () => {
    ({ db, drop } = await testDatabase("sstore-usage"));
    // A second, independent connection: a second scheduler replica.
    replica = await connectMongo(testConfig({ SLUICE_DB: db.databaseName }), { appName: "replica-2" });
    replicaDb = replica.db();
    await ensureIndexes(db);
    usage = db.collection(COLLECTIONS.usage);
    jobs = db.collection(COLLECTIONS.jobs);
  });
  afterAll(async () => {
    await replica.close();
    await drop();
  });
  beforeEach(async () => {
    now = T0;
    await usage.deleteMany({});
    await jobs.deleteMany({});
  });

  const store = (on: Db = db) =>
    new UsageStore(oneDbRouter(on), { now: clock, log: silentLogger(), settleMs: SETTLE });

  it("200 concurrent tryAcquire from two replicas never exceed the cap (first-time upsert race included)", async () => {
    const [a, b] = [store(db), store(replicaDb)];
    const cap = 17;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).tryAcquire(ACME, cap)),
    );
    const ok = results.filter((r) => r.ok);
    expect(ok).toHaveLength(cap);
    expect(Math.max(...ok.map((r) => r.running))).toBe(cap);
    // Every acquisition saw the counter within the cap. (Real MongoDB would also hand out 1..17 once
    // each; mongo-java-server's findOneAndUpdate may return the same post-image to two concurrent
    // winners, so distinctness is not asserted. The final counter below is exact on both.)
    expect(ok.every((r) => r.running >= 1 && r.running <= cap)).toBe(true);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === "cap")).toBe(true);
    expect(await usage.countDocuments({ tenantId: ACME })).toBe(1);
    expect((await a.get(ACME)).running).toBe(cap);
    expect((await a.get(ACME)).releasedToday).toBe(cap);
  });

  it("acquire/release churn from two replicas: every acquisition sees running ≤ cap, and it ends at 0", async () => {
    const cap = 5;
    let maxSeen = 0;
    let acquired = 0;
    const worker = async (s: UsageStore) => {
      for (let i = 0; i < 40; i += 1) {
        const r = await s.tryAcquire(GLOBEX, cap);
        if (!r.ok) continue;
        acquired += 1;
        maxSeen = Math.max(maxSeen, r.running);
        await new Promise((resolve) => setImmediate(resolve));
        expect(await s.release(GLOBEX)).toBe(true);
      }
    };
    await Promise.all([...Array(6).keys()].map((i) => worker(i % 2 === 0 ? store(db) : store(replicaDb))));
    expect(acquired).toBeGreaterThan(cap);
    expect(maxSeen).toBeLessThanOrEqual(cap);
    expect((await store().get(GLOBEX)).running).toBe(0);
  });

  it("the daily job quota is a guarded counter per UTC day", async () => {
    const [a, b] = [store(db), store(replicaDb)];
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? a : b).tryAcquire(ACME, 1_000, { dailyQuota: 25 }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(25);
    expect(results.filter((r) => !r.ok && r.reason === "daily")).toHaveLength(75);
    // Refunding an abandoned release gives the daily count back.
    expect(await a.release(ACME, { refundDaily: true })).toBe(true);
    expect((await a.tryAcquire(ACME, 1_000, { dailyQuota: 25 })).ok).toBe(true);
    expect((await a.tryAcquire(ACME, 1_000, { dailyQuota: 25 })).ok).toBe(false);
    // The next UTC day starts from zero.
    now = Date.UTC(2026, 2, 2, 0, 0, 1);
    const next = await a.tryAcquire(ACME, 1_000, { dailyQuota: 25 });
    expect(next).toMatchObject({ ok: true, releasedToday: 1, running: 26 });
  });

  it("a refunded acquisition leaves the recent-acquisitions window: an undercount is raised to the truth, not above it", async () => {
    const s = store();
    for (let i = 0; i < 3; i++) expect((await s.tryAcquire(ACME, 10)).ok).toBe(true);
    // Two of the three releases are abandoned before their jobs exist (e.g. SQS down): refunded.
    now += SETTLE + 1; // the refund lands in the next window, as after a long outage
    expect(await s.release(ACME, { refundDaily: true })).toBe(true);
    expect(await s.release(ACME, { refundDaily: true })).toBe(true);
    // The one real job runs, but the counter lost it (a crashed replica's write, say).
    await jobs.insertOne(job("j-real", ACME, "running") as JobDoc);
    await usage.updateOne({ tenantId: ACME }, { $set: { running: 0 } });
    // Pending is the one acquisition whose job may still be on its way, not the refunded two.
    expect(await s.reconcile(ACME)).toMatchObject({
      kind: "corrected",
      from: 0,
      to: 2,
      why: "undercounted",
      inFlight: 1,
      pending: 1,
    });
    expect((await s.get(ACME)).running).toBe(2);
  });

  it("cap 0 and a duplicate release are refused", async () => {
    const s = store();
    expect(await s.tryAcquire(ACME, 0)).toMatchObject({ ok: false, reason: "cap", running: 0 });
    expect(await s.release(ACME)).toBe(false);
    expect((await s.get(ACME)).running).toBe(0);
  });

  const job = (id: string, tenant: TenantId, status: string, extra: Record<string, unknown> = {}) => ({
    _id: id,
    tenantId: tenant,
    idempotencyKey: `key-${id}`,
    status,
    wakeAt: null,
    updatedAt: T0 - 60_000,
    ...extra,
  });

  it("counts every released, unfinished job as in flight (resting and review too); records the parked ones", async () => {
    await jobs.insertMany([
      job("j-queued-1", ACME, "queued"),
      job("j-running-1", ACME, "running"),
      job("j-due-wake-1", ACME, "queued", { wakeAt: T0 - 1 }),
      job("j-waiting-1", ACME, "queued", { wakeAt: T0 + 60_000 }),
      job("j-review-01", ACME, "needs_review"),
      job("j-done-0001", ACME, "complete"),
      job("j-other-001", GLOBEX, "running"),
    ] as unknown as JobDoc[]);
    const s = store();
    expect(await s.countInFlight(ACME)).toBe(5);
    await s.tryAcquire(ACME, 10);
    now = T0 + 3 * SETTLE;
    expect(await s.reconcile(ACME)).toMatchObject({ kind: "corrected", from: 1, to: 5, parked: 2 });
    // Resting on a Wait not yet due, and needs_review: they hold slots but no worker.
    expect(await s.get(ACME)).toMatchObject({ running: 5, parked: 2 });
  });

  it("reconcile lowers a leaked counter once no acquisition or release can still be pending", async () => {
    const s = store();
    for (let i = 0; i < 5; i += 1) expect((await s.tryAcquire(ACME, 10)).ok).toBe(true);
    await jobs.insertMany([
      job("j-run-0001", ACME, "running"),
      job("j-run-0002", ACME, "queued"),
    ] as unknown as JobDoc[]);
    // Right after the acquisitions, 3 of them may still be creating their jobs: in the band, left alone.
    expect(await s.reconcile(ACME)).toMatchObject({ kind: "in-sync", inFlight: 2, pending: 5 });
    now = T0 + 2 * SETTLE + 1;
    expect(await s.reconcile(ACME)).toMatchObject({ kind: "corrected", from: 5, to: 2, why: "leaked" });
    expect((await s.get(ACME)).running).toBe(2);
    expect(await s.reconcile(ACME)).toMatchObject({ kind: "in-sync", running: 2 });
  });

  it("reconcile allows for a release still on its way after a job just rested", async () => {
    const s = store();
    await s.tryAcquire(ACME, 10);
    await s.tryAcquire(ACME, 10);
    now = T0 + 3 * SETTLE;
    await jobs.insertMany([
      job("j-run-0001", ACME, "running"),
      job("j-fin-0001", ACME, "complete", { updatedAt: now - 100 }), // its release() is not in yet
    ] as unknown as JobDoc[]);
    expect(await s.reconcile(ACME)).toMatchObject({ kind: "in-sync", running: 2, inFlight: 1, pending: 1 });
    expect(await s.release(ACME)).toBe(true); // the late release lands: exact again
    expect((await s.get(ACME)).running).toBe(1);
  });

  it("reconcile raises an undercounted tenant (jobs running without a slot)", async () => {
    await jobs.insertMany([
      job("j-run-0001", ACME, "running"),
      job("j-run-0002", ACME, "running"),
      job("j-run-0003", ACME, "queued"),
    ] as unknown as JobDoc[]);
    const s = store();
    expect(await s.reconcile(ACME)).toMatchObject({ kind: "raced" }); // creates the usage doc first
    expect(await s.reconcile(ACME)).toMatchObject({ kind: "corrected", from: 0, to: 3, why: "undercounted" });
    expect((await s.tryAcquire(ACME, 3)).ok).toBe(false);
  });

  it("reconcile loses (writes nothing) when an acquire lands between its read and its write", async () => {
    const s = store();
    for (let i = 0; i < 4; i += 1) await s.tryAcquire(ACME, 10);
    await jobs.insertMany(
      [1, 2, 3, 4].map((i) => job(`j-run-000${i}`, ACME, "running")) as unknown as JobDoc[],
    );
    now = T0 + 3 * SETTLE;
    const other = store(replicaDb);
    // The recount triggers a concurrent acquisition by the other replica before answering.
    let injected = false;
    const racingJobs = new Proxy(jobs, {
      get(target, prop, receiver) {
        if (prop === "countDocuments") {
          return async (...args: Parameters<Collection<JobDoc>["countDocuments"]>) => {
            if (!injected) {
              injected = true;
              await other.tryAcquire(ACME, 10);
            }
            return target.countDocuments(...args);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const racingDb = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === "collection")
          return (name: string) => (name === COLLECTIONS.jobs ? racingJobs : target.collection(name));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const racing = store(racingDb);
    expect(await racing.reconcile(ACME)).toMatchObject({ kind: "raced", running: 4 });
    expect((await s.get(ACME)).running).toBe(5); // nothing overwritten
    // Recounted: 4 jobs in flight plus the new acquisition, whose job may still be on its way.
    expect(await racing.reconcile(ACME)).toMatchObject({ kind: "in-sync", inFlight: 4, pending: 1 });
  });

  it("reconcile prunes daily counters older than the retention and old acquisition windows", async () => {
    const s = store();
    await s.tryAcquire(ACME, 10);
    now = Date.UTC(2026, 2, 20, 12);
    await s.tryAcquire(ACME, 10);
    await jobs.insertMany([
      job("j-run-0001", ACME, "running"),
      job("j-run-0002", ACME, "running"),
    ] as unknown as JobDoc[]);
    expect(await s.reconcile(ACME)).toMatchObject({ kind: "in-sync" });
    const doc = await usage.findOne({ tenantId: ACME });
    expect(Object.keys(doc?.daily ?? {})).toEqual(["2026-03-20"]);
    expect(Object.keys(doc?.acq ?? {})).toHaveLength(1);
    const all = await s.readAll();
    expect(all.get(ACME)).toMatchObject({ running: 2, releasedToday: 1 });
  });
});
