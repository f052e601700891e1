import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFairScheduler } from "../../scheduler/create-fair-scheduler.ts";
import type { FairScheduler } from "../../scheduler/loop/fair-scheduler.ts";
import { MongoLeaseStore } from "../../scheduler/shards/lease-store.ts";
import { schedulerReplicas } from "../../scheduler/shards/replica-view.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { sleep } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { waitUntil } from "./helpers/fair-fleet.ts";
import { drainIntake } from "../support/drain-intake.ts";
import { heartbeatSlots } from "./helpers/worker-slots.ts";

/**
 * Tenant sharding across scheduler replicas (issue 13, ADR 0024), on the real stack: 40 tenants, no
 * workers (a heartbeat reports plenty of slots), so every released job stays `queued` and its work
 * message stays on the work queue, where both are counted. Replicas are fair schedulers on runtimes
 * of their own (separate clients, as separate processes would have).
 */
const TENANTS = Array.from({ length: 40 }, (_, i) => `sh${String(i).padStart(2, "0")}`);
let fleet: TestFleet;
let replicas: FairScheduler[] = [];

beforeAll(async () => {
  fleet = await createTestFleet("shards", { tenants: TENANTS });
  await setCaps(1_000);
  await heartbeatSlots(fleet, "w-shards", 1_000, 3_600_000);
}, 120_000);
afterEach(async () => {
  for (const r of replicas) await r.stop();
  replicas = [];
  await drainWorkQueue();
  // A test that failed half-way leaves messages behind: the next one starts from empty intake queues.
  await Promise.all(TENANTS.map((t) => drainIntake(fleet.rt, t as TenantId)));
  // Each test starts with no jobs and no running counts (nothing runs the released jobs).
  const db = fleet.rt.fleetDb;
  for (const c of [COLLECTIONS.jobs, COLLECTIONS.usage, COLLECTIONS.usageLedger])
    await db.collection(c).deleteMany({});
});
afterAll(() => fleet?.cleanup());

async function setCaps(maxConcurrency: number): Promise<void> {
  await fleet.rt.fleetDb
    .collection(COLLECTIONS.tenants)
    .updateMany(
      {},
      { $set: { maxConcurrency, minConcurrency: 0, updatedAt: new Date() }, $inc: { version: 1 } },
    );
}

async function replica(id: string, leaseMs = 4_000): Promise<FairScheduler> {
  const s = createFairScheduler(await fleet.runtime(), fleet.catalog, {
    schedulerId: id,
    quotaPollIntervalMs: 200,
    ownership: { leaseMs, renewMs: 300 },
    // Idle lanes on 20 s long polls (the default). A replica that loses a tenant abandons its poll,
    // which LocalStack keeps open and which takes the next message: the regression test of session
    // 17's KNOWN BUG (that message waited out a 60 s visibility; now 10 s, `abandoned-long-poll.test.ts`).
    loop: { intervalMs: 50, maxWorkQueueDepth: 100_000, releaseLead: 0, intake: { longPollSeconds: 20 } },
  });
  replicas.push(s);
  return s;
}

const leases = () =>
  fleet.rt.fleetDb.collection(COLLECTIONS.schedulerLeases).find({ kind: "tenant" }).toArray();
async function ownedBy(): Promise<Map<string, number>> {
  const now = Date.now();
  const out = new Map<string, number>();
  for (const l of await leases())
    if (l["owner"] !== null && Number(l["expiresAt"]) > now)
      out.set(String(l["owner"]), (out.get(String(l["owner"])) ?? 0) + 1);
  return out;
}

/** Sends `n` hello jobs to each tenant; returns their idempotency keys. */
async function sendAll(tag: string, n: number): Promise<string[]> {
  const keys: string[] = [];
  await Promise.all(
    TENANTS.map(async (t) => {
      const { queueUrl } = await fleet.rt.queues.intake(t as TenantId);
      const batch = Array.from({ length: n }, () => `${tag}-${t}-${randomUUID().slice(0, 8)}`);
      keys.push(...batch);
      await fleet.rt.sqs.sendBatch(
        queueUrl,
        batch.map((k) => ({
          body: JSON.stringify({ tenantId: t, workflow: "hello", idempotencyKey: k, input: { name: "Ada" } }),
        })),
      );
    }),
  );
  return keys;
}

const jobsWith = (keys: string[]) =>
  fleet.rt.fleetDb.collection(COLLECTIONS.jobs).countDocuments({ idempotencyKey: { $in: keys } });

/** Receives (and deletes) every work message; returns the job ids, one per message. */
async function drainWorkQueue(): Promise<string[]> {
  const ids: string[] = [];
  let empty = 0;
  while (empty < 3) {
    const got = await fleet.rt.sqs.receive(fleet.rt.queues.work, {
      maxMessages: 10,
      waitSeconds: 0,
      visibilityTimeout: 300,
    });
    if (got.length === 0) {
      empty += 1;
      await sleep(50);
      continue;
    }
    empty = 0;
    for (const m of got) {
      ids.push(String((JSON.parse(m.body) as { jobId: string }).jobId));
      await fleet.rt.sqs.delete(fleet.rt.queues.work, m.receiptHandle);
    }
  }
  return ids;
}

/** Every key has exactly one job, and exactly one work message went out per job. */
async function expectReleasedOnce(keys: string[]): Promise<void> {
  const jobs = await fleet.rt.fleetDb
    .collection(COLLECTIONS.jobs)
    .find({ idempotencyKey: { $in: keys } }, { projection: { _id: 1 } })
    .toArray();
  expect(jobs).toHaveLength(keys.length);
  const messages = await drainWorkQueue();
  expect(messages).toHaveLength(keys.length);
  expect(new Set(messages)).toEqual(new Set(jobs.map((j) => String(j._id))));
}

const releasedByTenant = (s: FairScheduler) =>
  new Set(
    Object.entries(s.metrics.snapshot())
      .filter(([, c]) => c.released > 0)
      .map(([t]) => t),
  );

describe("scheduler replicas sharing tenants", () => {
  it("two replicas split 40 tenants 20/20 and release every message exactly once, each its own tenants", async () => {
    // The default 10 s lease: a tick slowed down by a loaded machine must not move a tenant mid-test.
    const a = await replica("rep-a", 10_000);
    const b = await replica("rep-b", 10_000);
    await a.start();
    await b.start();
    await waitUntil(
      async () => {
        const o = await ownedBy();
        return o.get("rep-a") === 20 && o.get("rep-b") === 20;
      },
      20_000,
      "a 20/20 split",
    );
    const keys = await sendAll("split", 5);
    await waitUntil(async () => (await jobsWith(keys)) === keys.length, 120_000, "every job released");
    await sleep(500);
    await expectReleasedOnce(keys);
    const ra = releasedByTenant(a);
    const rb = releasedByTenant(b);
    expect(ra.size).toBe(20);
    expect(rb.size).toBe(20);
    expect([...ra].filter((t) => rb.has(t))).toEqual([]);
    expect(a.metrics.releasedTotal() + b.metrics.releasedTotal()).toBe(keys.length);
  }, 180_000);

  it("a dead replica's tenants (leases and heartbeat built expired) go to the live one, which releases their backlog", async () => {
    const db = fleet.rt.fleetDb;
    const now = Date.now();
    const docs = db.collection<{ _id: string } & Record<string, unknown>>(COLLECTIONS.schedulerLeases);
    await docs.deleteMany({});
    // A replica that held every tenant and died: its heartbeat and leases still unexpired.
    await docs.insertOne({
      _id: "replica:ghost",
      kind: "replica",
      replicaId: "ghost",
      at: now,
      expiresAt: now + 600_000,
      weight: 0,
      owned: 40,
    });
    await docs.insertMany(
      TENANTS.map((t) => ({
        _id: `tenant:${t}`,
        kind: "tenant",
        tenantId: t,
        owner: "ghost",
        expiresAt: now + 600_000,
        fence: 3,
      })),
    );
    const keys = await sendAll("ghost", 3);
    const c = await replica("rep-c");
    // Load its quotas without leaving the loop running (start, then stop: the book stays loaded).
    await c.start();
    await c.stop();
    for (let i = 0; i < 5; i += 1) {
      const r = await c.tick();
      expect(r.owned).toBe(0);
      expect(r.released).toBe(0);
      await sleep(100);
    }
    expect(await jobsWith(keys)).toBe(0);
    // The ghost's heartbeat and leases run out.
    await docs.updateMany(
      { $or: [{ owner: "ghost" }, { replicaId: "ghost" }] },
      { $set: { expiresAt: now - 1 } },
    );
    await sleep(350); // the next ownership round is due
    // Tick until the backlog is out (a lane's receives may finish after the tick that started them).
    for (const until = Date.now() + 120_000; (await jobsWith(keys)) < keys.length && Date.now() < until;) {
      await c.tick();
      await sleep(20);
    }
    const after = await leases();
    // Taken from the ghost with a new fence (4; more if a slow tick let one lapse and it was taken again).
    expect(after.every((l) => l["owner"] === "rep-c" && Number(l["fence"]) >= 4)).toBe(true);
    await expectReleasedOnce(keys);
  }, 180_000);

  it("a live replica's round deletes the heartbeat of a replica dead longer than the retention; a recently dead one stays, listed as dead", async () => {
    const db = fleet.rt.fleetDb;
    const now = Date.now();
    await db.collection(COLLECTIONS.schedulerLeases).deleteMany({});
    const store = new MongoLeaseStore(db);
    // Two dead replicas, built: one dead for 11 minutes (past the 10-minute retention), one for 5 s.
    await store.heartbeat({
      replicaId: "long-dead",
      at: now - 670_000,
      expiresAt: now - 660_000,
      weight: 0,
      owned: 3,
    });
    await store.heartbeat({
      replicaId: "just-dead",
      at: now - 15_000,
      expiresAt: now - 5_000,
      weight: 0,
      owned: 2,
    });
    const d = await replica("rep-d");
    await d.start(); // loads the quotas
    await d.stop();
    await d.tick(); // the ownership round
    const rows = await schedulerReplicas(store, Date.now());
    expect(rows.map((r) => r.replicaId)).not.toContain("long-dead");
    expect(rows.find((r) => r.replicaId === "just-dead")).toMatchObject({ alive: false, tenants: 0 });
    expect(rows.find((r) => r.replicaId === "rep-d")).toMatchObject({ alive: true, tenants: TENANTS.length });
    expect(
      await db.collection(COLLECTIONS.schedulerLeases).countDocuments({ _id: "replica:long-dead" } as never),
    ).toBe(0);
  }, 60_000);

  it("a joining replica takes about half; the first returns their buffered messages and every message is released once", async () => {
    await fleet.rt.fleetDb.collection(COLLECTIONS.schedulerLeases).deleteMany({});
    // Caps of 1 with nobody running jobs: each tenant releases one job, the first replica buffers the rest.
    await setCaps(1);
    const a = await replica("rep-d");
    await a.start();
    await waitUntil(async () => (await ownedBy()).get("rep-d") === 40, 20_000, "rep-d owns all");
    const keys = await sendAll("join", 6);
    await waitUntil(async () => (await jobsWith(keys)) === 40, 60_000, "one job per tenant");
    const b = await replica("rep-e");
    await b.start();
    await waitUntil(
      async () => {
        const o = await ownedBy();
        return (o.get("rep-e") ?? 0) >= 15 && (o.get("rep-d") ?? 0) + (o.get("rep-e") ?? 0) === 40;
      },
      20_000,
      "rep-e takes about half",
    );
    const o = await ownedBy();
    expect(o.get("rep-e")).toBeLessThanOrEqual(25);
    await setCaps(1_000);
    await waitUntil(async () => (await jobsWith(keys)) === keys.length, 120_000, "every job released");
    await sleep(500);
    await expectReleasedOnce(keys);
    expect(b.metrics.releasedTotal()).toBeGreaterThan(0);
  }, 180_000);
});
