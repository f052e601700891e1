import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectId, type Collection, type Db, type Filter } from "mongodb";
import { testDatabase } from "./helpers/mongo.ts";

interface Job {
  _id: string | ObjectId | number;
  tenantId: string;
  version: number;
  status: string;
}

/**
 * infra/mongo/SluiceMongoServer.java serves filters that hold a plain `_id` equality next to other
 * keys, or an `_id: { $in }` of plain values (the job store's batched reads), from the `_id` index (mongo-java-server 1.47.0 itself scans unless the filter's keys equal an
 * index's keys), then applies the whole filter. Results must be exactly those of a scan: `{$and:
 * [filter]}` has no top-level `_id`, so it always takes the library's scanning path.
 */
describe("MongoDB-wire server: filters with an _id equality", () => {
  let db: Db;
  let drop: () => Promise<void>;
  let jobs: Collection<Job>;
  const oid = new ObjectId();

  beforeAll(async () => {
    ({ db, drop } = await testDatabase("mongo_id_lookup"));
    jobs = db.collection<Job>("jobs");
    await jobs.insertMany([
      { _id: "a", tenantId: "t1", version: 1, status: "queued" },
      { _id: "b", tenantId: "t1", version: 2, status: "running" },
      { _id: "c", tenantId: "t2", version: 1, status: "queued" },
      { _id: oid, tenantId: "t1", version: 1, status: "queued" },
      { _id: 7, tenantId: "t1", version: 1, status: "queued" },
      ...Array.from({ length: 50 }, (_, i) => ({
        _id: `pad-${i}`,
        tenantId: "t1",
        version: 1,
        status: "queued",
      })),
    ]);
  });
  afterAll(() => drop());

  const ids = async (filter: Filter<Job>): Promise<unknown[]> =>
    (await jobs.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);

  const cases: [string, Filter<Job>, unknown[]][] = [
    ["matching other keys", { _id: "a", tenantId: "t1", version: 1 }, ["a"]],
    ["a non-matching other key", { _id: "a", tenantId: "t2", version: 1 }, []],
    ["a stale version", { _id: "b", tenantId: "t1", version: 1 }, []],
    ["status $in", { _id: "b", tenantId: "t1", status: { $in: ["queued", "running"] } }, ["b"]],
    ["status $in, no match", { _id: "b", tenantId: "t1", status: { $in: ["queued"] } }, []],
    ["an unknown _id", { _id: "zzz", tenantId: "t1" }, []],
    ["an ObjectId _id", { _id: oid, tenantId: "t1" }, [oid]],
    ["a numeric _id (library path)", { _id: 7, tenantId: "t1" }, [7]],
    ["_id $in", { _id: { $in: ["a", "b", "c"] }, tenantId: "t1" }, ["a", "b"]],
    ["_id $in alone", { _id: { $in: ["c", "a", "zzz"] } }, ["a", "c"]],
    ["_id $in with repeats", { _id: { $in: ["b", "b", "a"] }, tenantId: "t1" }, ["a", "b"]],
    ["_id $in of an ObjectId and a string", { _id: { $in: [oid, "a"] }, tenantId: "t1" }, ["a", oid]],
    ["_id $in with a number (library path)", { _id: { $in: [7, "a"] }, tenantId: "t1" }, [7, "a"]],
    ["_id $in, empty", { _id: { $in: [] }, tenantId: "t1" }, []],
    ["_id $in and $nin (library path)", { _id: { $in: ["a", "b"], $nin: ["b"] } }, ["a"]],
    ["_id $in, other key filters", { _id: { $in: ["a", "b"] }, tenantId: "t1", version: 2 }, ["b"]],
    ["_id $ne", { _id: { $ne: "a" }, tenantId: "t2" }, ["c"]],
    ["_id with $or", { _id: "c", $or: [{ tenantId: "t1" }, { version: 1 }] }, ["c"]],
  ];

  it.each(cases)("find with %s returns what a scan returns", async (_label, filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
    expect(await ids({ $and: [filter] })).toEqual(expected);
  });

  it("count, projection and skip apply to the looked-up document", async () => {
    expect(await jobs.countDocuments({ _id: "a", tenantId: "t1" })).toBe(1);
    expect(await jobs.countDocuments({ _id: "a", tenantId: "t2" })).toBe(0);
    expect(await jobs.findOne({ _id: "a", tenantId: "t1" }, { projection: { version: 1 } })).toEqual({
      _id: "a",
      version: 1,
    });
    expect(await jobs.find({ _id: "a", tenantId: "t1" }).skip(1).toArray()).toEqual([]);
  });

  it("compare-and-set updates, findOneAndUpdate and deletes honour every key", async () => {
    const stale = await jobs.updateOne({ _id: "c", tenantId: "t2", version: 0 }, { $set: { version: 9 } });
    expect(stale.matchedCount).toBe(0);
    const cas = await jobs.updateOne({ _id: "c", tenantId: "t2", version: 1 }, { $set: { version: 2 } });
    expect([cas.matchedCount, cas.modifiedCount]).toEqual([1, 1]);
    expect((await jobs.findOne({ _id: "c" }))?.version).toBe(2);

    expect(
      await jobs.findOneAndUpdate(
        { _id: "c", tenantId: "t1" },
        { $set: { status: "x" } },
        { returnDocument: "after" },
      ),
    ).toBeNull();
    const after = await jobs.findOneAndUpdate(
      { _id: "c", tenantId: "t2", version: 2, status: { $in: ["queued"] } },
      { $set: { status: "running" }, $inc: { version: 1 } },
      { returnDocument: "after" },
    );
    expect(after).toEqual({ _id: "c", tenantId: "t2", version: 3, status: "running" });

    const multi = await jobs.updateMany({ _id: "a", tenantId: "t2" }, { $set: { status: "x" } });
    expect(multi.matchedCount).toBe(0);

    expect((await jobs.deleteOne({ _id: "c", tenantId: "t1" })).deletedCount).toBe(0);
    expect((await jobs.deleteMany({ _id: "c", tenantId: "t2", version: 3 })).deletedCount).toBe(1);
    expect(await jobs.findOne({ _id: "c" })).toBeNull();
  });

  it("an upsert with an _id equality that matches nothing still inserts", async () => {
    const r = await jobs.updateOne(
      { _id: "new", tenantId: "t3" },
      { $set: { version: 1, status: "queued" } },
      { upsert: true },
    );
    expect(r.upsertedId).toBe("new");
    expect(await jobs.findOne({ _id: "new", tenantId: "t3" })).toEqual({
      _id: "new",
      tenantId: "t3",
      version: 1,
      status: "queued",
    });
  });
});
