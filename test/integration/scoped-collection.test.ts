import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { MongoClient } from "mongodb";
import {
  TenantScopeError,
  dedicatedDbName,
  scopedCollection,
  tenantCollection,
} from "../../shared/tenancy/scoped-collection.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { MongoTenantRouter } from "../../shared/tenancy/tenant-router.ts";

const url = process.env.MONGO_URL;
if (!url) throw new Error("MONGO_URL is not set (see infra/)");
const client = new MongoClient(url);
const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const db = client.db(`sluice_test_scoped_${suffix}`);
const dedicatedTenant = tenantId(`ded-${suffix.replace(/_/g, "-")}`);

interface Item {
  _id: string;
  tenantId: string;
  n: number;
  tag?: string;
}

const A = tenantId("acme");
const G = tenantId("globex");
const raw = db.collection<Item>("items");
const acme = scopedCollection(raw, A);
const globex = scopedCollection(raw, G);

beforeAll(async () => {
  await client.connect();
  await globex.insertOne({ _id: "g1", n: 1, tag: "x" });
  await globex.insertOne({ _id: "g2", n: 2 });
  await acme.insertOne({ _id: "a1", n: 10, tag: "x" });
});

afterAll(async () => {
  await db.dropDatabase();
  await client.db(dedicatedDbName(dedicatedTenant)).dropDatabase();
  await client.close();
});

describe("scopedCollection against the server", () => {
  it("stamps the tenant on inserts and refuses another tenant's document", async () => {
    expect(await raw.findOne({ _id: "a1" })).toMatchObject({ tenantId: "acme" });
    await expect(acme.insertOne({ _id: "a-bad", tenantId: "globex", n: 0 })).rejects.toThrow(
      TenantScopeError,
    );
    expect(await raw.countDocuments({ _id: "a-bad" })).toBe(0);
  });

  it("cannot read another tenant's documents", async () => {
    expect(await acme.findOne({ _id: "g1" })).toBeNull();
    expect((await acme.find({ _id: { $in: ["g1", "g2", "a1"] } }).toArray()).map((d) => d._id)).toEqual([
      "a1",
    ]);
    expect(await acme.countDocuments({ tag: "x" })).toBe(1);
    expect(await acme.countDocuments({ $or: [{ _id: "g1" }, { n: { $gte: 0 } }] })).toBe(1);
    await expect(acme.findOne({ tenantId: "globex" })).rejects.toThrow(TenantScopeError);
    expect(() => acme.find({ $or: [{ tenantId: "globex" }] })).toThrow(TenantScopeError);
  });

  it("cannot update, move or delete another tenant's documents", async () => {
    expect((await acme.updateOne({ _id: "g1" }, { $set: { n: 99 } })).matchedCount).toBe(0);
    expect(await acme.findOneAndUpdate({ _id: "g1" }, { $set: { n: 99 } })).toBeNull();
    expect((await acme.deleteOne({ _id: "g1" })).deletedCount).toBe(0);
    await expect(acme.updateOne({ _id: "a1" }, { $set: { tenantId: "globex" } })).rejects.toThrow(
      TenantScopeError,
    );
    await expect(acme.updateOne({ _id: "a1" }, { $unset: { tenantId: "" } })).rejects.toThrow(
      TenantScopeError,
    );
    expect(await raw.findOne({ _id: "g1" })).toEqual({ _id: "g1", tenantId: "globex", n: 1, tag: "x" });
    expect(await raw.findOne({ _id: "a1" })).toMatchObject({ tenantId: "acme" });
  });

  it("updates, upserts and returns its own tenant's documents", async () => {
    expect((await acme.updateOne({ _id: "a1" }, { $inc: { n: 1 } })).modifiedCount).toBe(1);
    const after = await acme.findOneAndUpdate({ _id: "a1" }, { $inc: { n: 1 } }, { returnDocument: "after" });
    expect(after).toMatchObject({ _id: "a1", n: 12 });
    await acme.updateOne({ _id: "a-up" }, { $set: { n: 5 } }, { upsert: true });
    expect(await raw.findOne({ _id: "a-up" })).toEqual({ _id: "a-up", tenantId: "acme", n: 5 });
    expect((await acme.deleteOne({ _id: "a-up" })).deletedCount).toBe(1);
  });

  it("aggregates over its own tenant only", async () => {
    const rows = await acme
      .aggregate<{ _id: null; total: number }>([{ $group: { _id: null, total: { $sum: "$n" } } }])
      .toArray();
    expect(rows).toEqual([{ _id: null, total: 12 }]);
    const tagged = await globex.aggregate([{ $match: { tag: "x" } }, { $count: "c" }]).toArray();
    expect(tagged).toEqual([{ c: 1 }]);
    expect(() => acme.aggregate([{ $lookup: { from: "items", pipeline: [], as: "all" } }])).toThrow(
      TenantScopeError,
    );
  });

  it("property: every query through tenant X sees exactly X's matching documents", async () => {
    const tenants = [tenantId("pa"), tenantId("pb"), tenantId("pc")];
    const col = db.collection<Item>("prop");
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ t: fc.nat({ max: 2 }), n: fc.nat({ max: 5 }) }), { maxLength: 15 }),
        fc.nat({ max: 2 }),
        fc.nat({ max: 5 }),
        async (docs, reader, threshold) => {
          run++;
          await col.deleteMany({});
          for (const [i, d] of docs.entries()) {
            await scopedCollection(col, tenants[d.t]!).insertOne({ _id: `r${run}-${i}`, n: d.n });
          }
          const scoped = scopedCollection(col, tenants[reader]!);
          const seen = await scoped.find({ n: { $gte: threshold } }).toArray();
          const expected = docs.filter((d) => d.t === reader && d.n >= threshold).length;
          expect(seen).toHaveLength(expected);
          expect(seen.every((d) => d.tenantId === tenants[reader])).toBe(true);
          expect(await scoped.countDocuments()).toBe(docs.filter((d) => d.t === reader).length);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe.each([
  ["one update command (database known)", true],
  ["driver bulkWrite (bare collection)", false],
])("bulkUpdateOne, %s", (_label, withDb) => {
  const bulk = db.collection<Item>("bulk_items");
  const mine = withDb ? scopedCollection(bulk, A, db) : scopedCollection(bulk, A);
  const theirs = scopedCollection(bulk, G);

  it("updates only its own tenant's documents and counts what matched", async () => {
    await bulk.deleteMany({});
    await mine.insertOne({ _id: "b1", n: 1 });
    await mine.insertOne({ _id: "b2", n: 2 });
    await theirs.insertOne({ _id: "b3", n: 3 });
    const r = await mine.bulkUpdateOne([
      { filter: { _id: "b1", n: 1 }, update: { $inc: { n: 10 } } },
      { filter: { _id: "b2", n: 99 }, update: { $inc: { n: 10 } } }, // stale: matches nothing
      { filter: { _id: "b3" }, update: { $inc: { n: 10 } } }, // globex's: matches nothing
    ]);
    expect(r.matchedCount).toBe(1);
    expect(r.errors.size).toBe(0);
    expect((await bulk.find({}).sort({ _id: 1 }).toArray()).map((d) => d.n)).toEqual([11, 2, 3]);
  });

  it("names the op the server refused by its index; the others ran", async () => {
    await bulk.deleteMany({});
    await mine.insertOne({ _id: "c1", n: 1, tag: "t" });
    await mine.insertOne({ _id: "c2", n: 2, tag: "t" });
    const r = await mine.bulkUpdateOne([
      { filter: { _id: "c1" }, update: { $inc: { tag: 1 } } as never }, // $inc of a string
      { filter: { _id: "c2" }, update: { $set: { n: 20 } } },
    ]);
    expect(r.matchedCount).toBe(1);
    expect([...r.errors.keys()]).toEqual([0]);
    expect(r.errors.get(0)).toBeInstanceOf(Error);
    expect((await bulk.findOne({ _id: "c2" }))?.n).toBe(20);
  });

  it("refuses an update that would move a document to another tenant, before sending anything", async () => {
    await expect(
      mine.bulkUpdateOne([{ filter: { _id: "b1" }, update: { $set: { tenantId: "globex" } } }]),
    ).rejects.toThrow(TenantScopeError);
  });
});

describe("TenantDataRouter", () => {
  it("puts shared tenants in the shared database and dedicated ones in sluice_t_<tenant>", async () => {
    await db.collection(COLLECTIONS.tenants).insertMany([
      { _id: A as never, tenantId: A, tier: "shared" },
      { _id: dedicatedTenant as never, tenantId: dedicatedTenant, tier: "dedicated" },
    ]);
    const router = new MongoTenantRouter({ sharedDb: db });
    await tenantCollection<Item>(router, A, COLLECTIONS.jobs).insertOne({ _id: "shared-1", n: 1 });
    await tenantCollection<Item>(router, dedicatedTenant, COLLECTIONS.jobs).insertOne({ _id: "ded-1", n: 2 });
    expect(await db.collection("jobs").findOne({ _id: "shared-1" as never })).toMatchObject({
      tenantId: "acme",
    });
    expect(await db.collection("jobs").findOne({ _id: "ded-1" as never })).toBeNull();
    const dedicatedDb = client.db(`sluice_t_${dedicatedTenant}`);
    expect(await dedicatedDb.collection("jobs").findOne({ _id: "ded-1" as never })).toMatchObject({
      tenantId: dedicatedTenant,
    });
    // Still scoped inside the dedicated database.
    const wrong = scopedCollection(dedicatedDb.collection<Item>("jobs"), A);
    expect(await wrong.findOne({ _id: "ded-1" })).toBeNull();
  });
});
