import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "mongodb";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { FleetCapacity, releasable } from "../../scheduler/store/capacity.ts";
import { testDatabase } from "./helpers/mongo.ts";

const T0 = Date.UTC(2026, 2, 1, 12);

describe("FleetCapacity: worker heartbeats in MongoDB", () => {
  let db: Db;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ db, drop } = await testDatabase("sstore-cap"));
    await ensureIndexes(db);
  });
  afterAll(() => drop());
  beforeEach(async () => {
    await db.collection(COLLECTIONS.workers).deleteMany({});
  });

  it("sums free slots over workers heard from recently; stale workers stop counting", async () => {
    const fleet = new FleetCapacity(db, { staleAfterMs: 15_000 });
    await fleet.heartbeat({ workerId: "w1", slots: 8, busy: 3, at: T0 });
    await fleet.heartbeat({ workerId: "w2", slots: 4, busy: 4, at: T0 - 5_000 });
    await fleet.heartbeat({ workerId: "w3", slots: 10, busy: 0, at: T0 - 20_000 }); // stale
    await fleet.heartbeat({ workerId: "w4", slots: 2, busy: 5, at: T0 }); // over-busy counts as 0
    expect(await fleet.freeSlots(T0)).toBe(5);
    const view = await fleet.view(T0);
    expect(view).toMatchObject({ stale: 1, invalid: 0, freeSlots: 5 });
    expect(view.live.map((w) => w.workerId).sort()).toEqual(["w1", "w2", "w4"]);
    // 16 s later only a worker that kept beating counts.
    await fleet.heartbeat({ workerId: "w1", slots: 8, busy: 1, at: T0 + 16_000 });
    expect(await fleet.freeSlots(T0 + 16_000)).toBe(7);
  });

  it("a heartbeat older than the stored one is ignored; concurrent first heartbeats are safe", async () => {
    const fleet = new FleetCapacity(db);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fleet.heartbeat({ workerId: "w1", slots: 8, busy: i % 8, at: T0 + i }),
      ),
    );
    const docs = await db.collection(COLLECTIONS.workers).find({ workerId: "w1" }).toArray();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ at: T0 + 19, busy: 19 % 8 });
    await fleet.heartbeat({ workerId: "w1", slots: 8, busy: 0, at: T0 }); // late, out of order
    expect(await fleet.freeSlots(T0 + 19)).toBe(8 - (19 % 8));
  });

  it("accepts BSON dates for `at`, ignores malformed documents, and removes and prunes workers", async () => {
    const fleet = new FleetCapacity(db, { staleAfterMs: 15_000 });
    const workers = db.collection(COLLECTIONS.workers);
    await workers.insertMany([
      { workerId: "dated", slots: 3, busy: 1, at: new Date(T0 - 1_000) },
      { workerId: "broken", slots: "many", busy: 0, at: T0 },
      { workerId: "ancient", slots: 5, busy: 0, at: T0 - 3_600_000 },
    ]);
    await fleet.heartbeat({ workerId: "w1", slots: 4, busy: 0, at: T0 });
    expect(await fleet.freeSlots(T0)).toBe(6);
    expect((await fleet.view(T0)).invalid).toBe(1);
    await fleet.remove("w1");
    expect(await fleet.freeSlots(T0)).toBe(2);
    expect(await fleet.prune(T0)).toBe(1); // "ancient": older than 10 × staleAfterMs
  });

  it("with the work-queue guard, releases stop when the queue is deep", async () => {
    const fleet = new FleetCapacity(db);
    await fleet.heartbeat({ workerId: "w1", slots: 50, busy: 10, at: T0 });
    const free = await fleet.freeSlots(T0);
    expect(releasable({ freeSlots: free, workQueue: { visible: 5 }, maxQueueDepth: 100 })).toBe(35);
    expect(releasable({ freeSlots: free, workQueue: { visible: 95, delayed: 0 }, maxQueueDepth: 100 })).toBe(
      0,
    );
  });
});
