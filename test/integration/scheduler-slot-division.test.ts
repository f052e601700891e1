import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFairScheduler } from "../../scheduler/create-fair-scheduler.ts";
import type { FairScheduler } from "../../scheduler/loop/fair-scheduler.ts";
import { assignTenants } from "../../scheduler/shards/assign.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import { sleep } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { drainIntake } from "../support/drain-intake.ts";
import { heartbeatSlots } from "./helpers/worker-slots.ts";

/**
 * How two real scheduler replicas divide the free worker slots (ADR 0029), on the real stack, shares
 * not timing: each replica is a fair scheduler on a runtime of its own, both on one injected clock,
 * their ticks driven by the test in a set order. No workers: a heartbeat reports 8 slots, and the test
 * "finishes" released jobs oldest first by giving their slots back through the usage counters, as a
 * worker's terminal write does. Tenant `x` is owned by replica A, `y` by replica B (rendezvous hashing,
 * ADR 0024, picks the names).
 */
const A = "slots-a";
const B = "slots-b";
const SLOTS = 8;
const [X, Y] = pickTenants();
let fleet: TestFleet;
let replicas: FairScheduler[] = [];
let clock = Date.now();

/** Two tenant names the division gives to A and B respectively. */
function pickTenants(): [TenantId, TenantId] {
  for (let i = 0; i < 100; i += 1) {
    const pair = [tenantId(`sd-x${i}`), tenantId(`sd-y${i}`)];
    const owner = assignTenants(pair, [A, B]);
    if (owner.get(pair[0]!) === A && owner.get(pair[1]!) === B) return [pair[0]!, pair[1]!];
  }
  throw new Error("no tenant pair splits over the two replicas");
}

beforeAll(async () => {
  fleet = await createTestFleet("slotdiv", { tenants: [X, Y] });
  await heartbeatSlots(fleet, "w-slots", SLOTS, 3_600_000);
}, 120_000);
afterEach(async () => {
  for (const r of replicas) await r.stop();
  replicas = [];
  const db = fleet.rt.fleetDb;
  for (const c of [
    COLLECTIONS.jobs,
    COLLECTIONS.usage,
    COLLECTIONS.usageLedger,
    COLLECTIONS.schedulerLeases,
    COLLECTIONS.schedulerClaims,
  ])
    await db.collection(c).deleteMany({});
  // Each test starts from empty intake queues (the last one left messages behind).
  for (const t of [X, Y]) await drainIntake(fleet.rt, t);
});
afterAll(() => fleet?.cleanup());

async function setQuota(t: TenantId, weight: number, maxConcurrency: number): Promise<void> {
  await fleet.rt.fleetDb.collection(COLLECTIONS.tenants).updateOne(
    { tenantId: t },
    {
      $set: {
        status: "active",
        weight,
        maxConcurrency,
        minConcurrency: 0,
        rate: null,
        updatedAt: new Date(),
      },
      $inc: { version: 1 },
    },
  );
}

async function replica(id: string): Promise<FairScheduler> {
  const s = createFairScheduler(await fleet.runtime(), fleet.catalog, {
    schedulerId: id,
    now: () => clock,
    ownership: { leaseMs: 60_000, renewMs: 1_000 },
    // Short receives (no long poll), no release lead: the slots are exactly the heartbeat's 8.
    loop: { releaseLead: 0, maxWorkQueueDepth: 100_000, intake: { longPollSeconds: 0, idlePollMs: 0 } },
  });
  // Load the quotas without leaving the loop running: start() then stop() keeps the book.
  await s.start();
  await s.stop();
  replicas.push(s);
  return s;
}

/** Both replicas up, `x` owned by A and `y` by B (A alone first takes both, then hands `y` over). */
async function twoReplicas(): Promise<[FairScheduler, FairScheduler]> {
  const a = await replica(A);
  const b = await replica(B);
  await a.tick();
  await b.tick();
  clock += 1_000;
  await a.tick();
  await b.tick();
  const leases = await fleet.rt.fleetDb
    .collection(COLLECTIONS.schedulerLeases)
    .find({ kind: "tenant" })
    .toArray();
  expect(new Map(leases.map((l) => [l["tenantId"], l["owner"]]))).toEqual(
    new Map([
      [X, A],
      [Y, B],
    ]),
  );
  return [a, b];
}

async function send(t: TenantId, n: number): Promise<void> {
  const { queueUrl } = await fleet.rt.queues.intake(t);
  for (let i = 0; i < n; i += 10)
    await fleet.rt.sqs.sendBatch(
      queueUrl,
      Array.from({ length: Math.min(10, n - i) }, () => ({
        body: JSON.stringify({
          tenantId: t,
          workflow: "hello",
          idempotencyKey: `sd-${t}-${randomUUID().slice(0, 8)}`,
          input: { name: "Ada" },
        }),
      })),
    );
}

const released = (t: TenantId) =>
  fleet.rt.fleetDb.collection(COLLECTIONS.jobs).countDocuments({ tenantId: t });
const usage = () => new UsageStore(fleet.rt.router, { now: () => clock, log: fleet.rt.log });

describe("two scheduler replicas dividing the free slots (ADR 0029)", () => {
  it("a tenant that wakes on one replica gets its fair share of the slots the other replica's tenant frees", async () => {
    await setQuota(X, 1, 100);
    await setQuota(Y, 1, 100);
    const [a, b] = await twoReplicas();
    const log: TenantId[] = [];
    const running: TenantId[] = [];
    const tickBoth = async () => {
      const before = [await released(X), await released(Y)];
      await b.tick();
      await a.tick();
      const after = [await released(X), await released(Y)];
      for (const [i, t] of [[1, Y] as const, [0, X] as const])
        for (let k = before[i]!; k < after[i]!; k += 1) {
          log.push(t);
          running.push(t);
        }
      clock += 100;
      await sleep(30); // lets the replicas' background claim reads and writes land
    };
    // y (on B) is backlogged alone: it takes every slot.
    await send(Y, 40);
    for (let i = 0; i < 5 && log.length < SLOTS; i += 1) await tickBoth();
    expect(log).toEqual(Array.from({ length: SLOTS }, () => Y));
    // x (on A) wakes with a backlog while y still has one; then one job ends per step, oldest first.
    await send(X, 40);
    await tickBoth();
    const u = usage();
    for (let step = 0; step < 16; step += 1) {
      await u.release(running.shift()!);
      await tickBoth();
    }
    const afterWake = log.slice(SLOTS);
    const gotX = afterWake.filter((t) => t === X).length;
    console.log(JSON.stringify({ releasedAfterWake: afterWake.join(","), gotX }));
    expect(afterWake).toHaveLength(16);
    // Equal weights: x should get the first 4 freed slots (4 / 4 then), then the slots its own jobs
    // free (they end oldest first): 8 of 16. Dividing by the weights the replicas publish once a round
    // (ADR 0024), y's replica took every freed slot here (0 of 16).
    expect(gotX).toBeGreaterThanOrEqual(6);
    expect((await u.readAll()).get(X)?.running ?? 0).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it("backlog appearing on both replicas at once does not commit the fleet twice over", async () => {
    await setQuota(X, 1, 100);
    await setQuota(Y, 1, 100);
    const [a, b] = await twoReplicas();
    // Both replicas idle, then both tenants' backlog lands together (a burst after a quiet spell):
    // each replica sees the other claiming nothing and all 8 slots free.
    await send(X, 20);
    await send(Y, 20);
    const totals: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      await Promise.all([a.tick(), b.tick()]);
      totals.push((await released(X)) + (await released(Y)));
      clock += 100;
    }
    console.log(JSON.stringify({ totals, x: await released(X), y: await released(Y) }));
    // Each took at most its part of the burst while its claims were unconfirmed (burstCap, 4 + 4);
    // before, each took all 8 in the first round (16 released for 8 slots).
    expect(Math.max(...totals)).toBeLessThanOrEqual(SLOTS);
    // And the division then fills the fleet, fairly (equal weights).
    expect(totals.at(-1)).toBe(SLOTS);
    expect(await released(X)).toBe(SLOTS / 2);
  }, 120_000);

  it("is work-conserving: slots a replica's tenants cannot use (cap) go to the other replica's tenants", async () => {
    await setQuota(X, 3, 1);
    await setQuota(Y, 1, 100);
    const [a, b] = await twoReplicas();
    // Every slot busy (y's, say) while both replicas buffer their backlog and publish what they see.
    const u = usage();
    for (let i = 0; i < SLOTS; i += 1) expect((await u.tryAcquire(Y, 100)).ok).toBe(true);
    await send(X, 10);
    await send(Y, 20);
    for (let i = 0; i < 2; i += 1) {
      clock += 1_000;
      await a.tick();
      await b.tick();
      await sleep(30);
    }
    expect((await released(X)) + (await released(Y))).toBe(0);
    // All 8 slots free at once. A's tenant can take 1 (its cap): B's gets the other 7 at its next tick.
    // (By weight, 3 : 1, A took 6 of which x used 1, and B 2 of the remaining 7: 5 slots idle.)
    for (let i = 0; i < SLOTS; i += 1) await u.release(Y);
    clock += 100;
    await a.tick();
    await sleep(30);
    await b.tick();
    expect(await released(X)).toBe(1);
    expect(await released(Y)).toBe(SLOTS - 1);
  }, 120_000);
});
