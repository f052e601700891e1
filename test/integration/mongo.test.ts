import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "mongodb";
import { connectMongo } from "../../shared/mongo/client.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { isDuplicateKeyError } from "../../shared/mongo/errors.ts";
import { INDEXES, ensureIndexes } from "../../shared/mongo/indexes.ts";
import { testConfig } from "./helpers/env.ts";
import { testDatabase } from "./helpers/mongo.ts";

describe("MongoDB client and indexes", () => {
  let db: Db;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ db, drop } = await testDatabase("mongo"));
  });
  afterAll(() => drop());

  it("ensureIndexes creates every index once, then finds them", async () => {
    const first = await ensureIndexes(db);
    expect(first.created).toHaveLength(INDEXES.length);
    expect(first.found).toEqual([]);
    const second = await ensureIndexes(db);
    expect(second.created).toEqual([]);
    expect(second.found.sort()).toEqual([...first.created].sort());
  });

  it("the unique {tenantId, idempotencyKey} index rejects a duplicate job", async () => {
    const jobs = db.collection(COLLECTIONS.jobs);
    await jobs.insertOne({ tenantId: "acme", idempotencyKey: "k1", status: "queued" });
    await jobs.insertOne({ tenantId: "globex", idempotencyKey: "k1", status: "queued" });
    const e = await jobs
      .insertOne({ tenantId: "acme", idempotencyKey: "k1", status: "queued" })
      .catch((x) => x);
    expect(isDuplicateKeyError(e)).toBe(true);
    expect(await jobs.countDocuments({ tenantId: "acme" })).toBe(1);
  });

  it("the tenants collection holds one quota document per tenant", async () => {
    const tenants = db.collection(COLLECTIONS.tenants);
    await tenants.insertOne({ tenantId: "acme" });
    const e = await tenants.insertOne({ tenantId: "acme" }).catch((x) => x);
    expect(isDuplicateKeyError(e)).toBe(true);
  });

  it("close() is idempotent, also when called concurrently", async () => {
    const handle = await connectMongo(testConfig());
    expect(handle.db().databaseName).toBe("sluice");
    await Promise.all([handle.close(), handle.close()]);
    await handle.close();
  });

  it("connectMongo fails fast on an unreachable server", async () => {
    const config = testConfig({ MONGO_URL: "mongodb://127.0.0.1:1/?directConnection=true" });
    await expect(connectMongo(config, { serverSelectionTimeoutMS: 300 })).rejects.toThrow();
  });
});
