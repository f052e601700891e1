import { describe, expect, it } from "vitest";
import type { Db, MongoClient } from "mongodb";
import { parseQuota, formatProblem } from "../../../scheduler/quota/schema.ts";
import { tenantCollection } from "../../../shared/tenancy/scoped-collection.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { MongoTenantRouter, TenantRoutingError } from "../../../shared/tenancy/tenant-router.ts";
import { dedicatedDbName, homeOf } from "../../../shared/tenancy/tenant-storage.ts";
import { COLLECTIONS } from "../../../shared/mongo/collections.ts";

const A = tenantId("acme");
const B = tenantId("bigco");

describe("homeOf (the tenant document → where its data lives)", () => {
  it("sends the shared tier to the shared database, whatever storage says", () => {
    const r = homeOf({ tenantId: A, tier: "shared", storage: { database: "elsewhere" } }, A, "sluice");
    expect(r).toEqual({
      ok: true,
      home: {
        tenantId: A,
        tier: "shared",
        databaseName: "sluice",
        mongoUrl: undefined,
        bucket: undefined,
        kmsKeyId: undefined,
      },
    });
  });

  it("sends the dedicated tier to sluice_t_<tenant> by default, or to storage.database / mongoUrl", () => {
    expect(homeOf({ _id: "acme", tier: "dedicated" }, A, "sluice")).toMatchObject({
      ok: true,
      home: { tier: "dedicated", databaseName: "sluice_t_acme", mongoUrl: undefined },
    });
    expect(dedicatedDbName(tenantId("a-b-9"))).toBe("sluice_t_a-b-9");
    const own = homeOf(
      {
        tenantId: A,
        tier: "dedicated",
        storage: {
          database: "acme_data",
          mongoUrl: "mongodb://acme-db:27017",
          bucket: "acme-bucket",
          kmsKeyId: "alias/acme",
        },
      },
      A,
      "sluice",
    );
    expect(own).toMatchObject({
      ok: true,
      home: {
        databaseName: "acme_data",
        mongoUrl: "mongodb://acme-db:27017",
        bucket: "acme-bucket",
        kmsKeyId: "alias/acme",
      },
    });
  });

  it("refuses a bad tier or storage field with its path, and never answers with the shared database", () => {
    const bad = (doc: object) => homeOf({ tenantId: A, ...doc }, A, "sluice");
    expect(bad({ tier: "premium" })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^tier: /)],
    });
    expect(bad({})).toMatchObject({ ok: false, problems: [expect.stringMatching(/^tier: /)] });
    expect(bad({ tier: "dedicated", storage: { database: "a/b" } })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^storage\.database: must match/)],
    });
    expect(bad({ tier: "dedicated", storage: { database: "admin" } })).toMatchObject({ ok: false });
    expect(bad({ tier: "dedicated", storage: { mongoUrl: "http://x" } })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^storage\.mongoUrl: /)],
    });
    expect(bad({ tier: "dedicated", storage: { bucket: "Not_A_Bucket" } })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^storage\.bucket: /)],
    });
    expect(bad({ tier: "dedicated", storage: { databse: "typo" } })).toMatchObject({ ok: false });
    expect(bad({ tier: "dedicated", storage: "sluice_t_acme" })).toMatchObject({ ok: false });
    expect(bad({ tier: "dedicated", storage: { database: "sluice" } })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^storage\.database: must not be the shared database/)],
    });
    expect(homeOf({ tenantId: B, tier: "shared" }, A, "sluice")).toMatchObject({ ok: false });
  });

  it("the quota schema refuses the same documents field by field (tenants set / check)", () => {
    const base = {
      tenantId: "acme",
      status: "active",
      tier: "dedicated",
      weight: 1,
      maxConcurrency: 5,
      minConcurrency: 0,
      updatedAt: new Date(0),
      version: 1,
    };
    expect(parseQuota({ ...base, storage: { database: "sluice_t_acme" } }).ok).toBe(true);
    const r = parseQuota({ ...base, storage: { database: "no spaces", kmsKeyId: "" } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^storage\.database: must match/),
      expect.stringMatching(/^storage\.kmsKeyId: /),
    ]);
  });
});

/** A shared database whose `tenants` collection is an in-memory list; counts reads. */
function fakeFleet(docs: Record<string, unknown>[], opts: { failReads?: () => boolean } = {}) {
  const reads = { findOne: 0, find: 0 };
  const dbs = new Map<string, Db>();
  const dbOf = (client: MongoClient, name: string): Db => {
    const key = `${String((client as unknown as { url: string }).url)}/${name}`;
    let db = dbs.get(key);
    if (!db) {
      db = { databaseName: name, client, url: (client as unknown as { url: string }).url } as unknown as Db;
      dbs.set(key, db);
    }
    return db;
  };
  const tenants = {
    findOne: async (filter: { $or: [{ tenantId: string }] }) => {
      reads.findOne += 1;
      if (opts.failReads?.()) throw new Error("connection refused");
      const t = filter.$or[0].tenantId;
      return docs.find((d) => d["tenantId"] === t || d["_id"] === t) ?? null;
    },
    find: (filter: { tier: string }) => ({
      toArray: async () => {
        reads.find += 1;
        return docs.filter((d) => d["tier"] === filter.tier);
      },
    }),
  };
  const client = {
    url: "fleet",
    db: (name: string) => dbOf(client as unknown as MongoClient, name),
  } as unknown as MongoClient;
  const sharedDb = {
    databaseName: "sluice",
    client,
    collection: (name: string) => {
      if (name !== COLLECTIONS.tenants) throw new Error(`unexpected collection ${name}`);
      return tenants;
    },
  } as unknown as Db;
  const opened: { url: string; closed: boolean }[] = [];
  const newClient = (url: string) => {
    const c = { url, closed: false, close: async () => void (c.closed = true) };
    const clientLike = { ...c, db: (name: string) => dbOf(clientLike as unknown as MongoClient, name) };
    opened.push(c);
    clientLike.close = async () => void (c.closed = true);
    return clientLike as unknown as MongoClient;
  };
  return { sharedDb, reads, opened, newClient };
}

describe("MongoTenantRouter", () => {
  it("reads the tier from the tenant document, caches it for the TTL, re-reads after it or on invalidate", async () => {
    const docs = [{ tenantId: "acme", tier: "shared" } as Record<string, unknown>];
    const f = fakeFleet(docs);
    let now = 0;
    const router = new MongoTenantRouter({ sharedDb: f.sharedDb, ttlMs: 1000, now: () => now });
    expect((await router.dbFor(A)).databaseName).toBe("sluice");
    expect((await router.dbFor(A)).databaseName).toBe("sluice");
    expect(f.reads.findOne).toBe(1);
    docs[0] = { tenantId: "acme", tier: "dedicated" }; // promoted: applies once the cache expires…
    expect((await router.home(A)).tier).toBe("shared");
    now = 1000;
    expect((await router.dbFor(A)).databaseName).toBe("sluice_t_acme");
    docs[0] = { tenantId: "acme", tier: "shared" }; // …or at once after invalidate
    router.invalidate(A);
    expect((await router.dbFor(A)).databaseName).toBe("sluice");
    expect(f.reads.findOne).toBe(3);
  });

  it("fails closed: no document, an invalid one, or a failed read reject (not cached), never the shared database", async () => {
    let fail = true;
    const f = fakeFleet(
      [
        { tenantId: "bigco", tier: "dedicated", storage: { database: "x y" } },
        { _id: "acme", tier: "shared" },
      ],
      {
        failReads: () => fail,
      },
    );
    const router = new MongoTenantRouter({ sharedDb: f.sharedDb, ttlMs: 60_000 });
    const unreadable = await router.dbFor(A).catch((e: unknown) => e);
    expect(unreadable).toBeInstanceOf(TenantRoutingError);
    expect(unreadable).toMatchObject({ tenantId: "acme", retryable: true });
    fail = false;
    expect((await router.dbFor(A)).databaseName).toBe("sluice"); // the failure was not cached
    const invalid = await router.dbFor(B).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ name: "TenantRoutingError", retryable: false });
    expect((invalid as TenantRoutingError).problems).toEqual([expect.stringMatching(/^storage\.database: /)]);
    const missing = await router.dbFor(tenantId("nobody")).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: "TenantRoutingError", retryable: false });
    expect((missing as Error).message).toMatch(/no tenant document/);
    // A scoped collection of an unroutable tenant reaches no database at all.
    await expect(
      tenantCollection<{ _id: string; tenantId: string }>(router, B, COLLECTIONS.jobs).findOne({ _id: "j1" }),
    ).rejects.toThrow(TenantRoutingError);
  });

  it("opens one client per distinct tenant mongoUrl, reuses it, closes it with the router", async () => {
    const f = fakeFleet([
      { tenantId: "acme", tier: "dedicated", storage: { mongoUrl: "mongodb://one:1" } },
      { tenantId: "bigco", tier: "dedicated", storage: { mongoUrl: "mongodb://one:1", database: "big" } },
      { tenantId: "cora", tier: "dedicated", storage: { mongoUrl: "mongodb://two:2" } },
      { tenantId: "dora", tier: "dedicated" },
      { tenantId: "erin", tier: "shared" },
    ]);
    const router = new MongoTenantRouter({ sharedDb: f.sharedDb, newClient: f.newClient });
    const a = await router.dbFor(A);
    const b = await router.dbFor(B);
    const c = await router.dbFor(tenantId("cora"));
    const d = await router.dbFor(tenantId("dora"));
    expect([a.databaseName, b.databaseName, c.databaseName, d.databaseName]).toEqual([
      "sluice_t_acme",
      "big",
      "sluice_t_cora",
      "sluice_t_dora",
    ]);
    expect(f.opened.map((o) => o.url)).toEqual(["mongodb://one:1", "mongodb://two:2"]);
    expect(a.client).toBe(b.client);
    expect(d.client).toBe(f.sharedDb.client);
    const dbs = await router.databases();
    expect(dbs.map((x) => [x.tier, x.db.databaseName, [...x.tenants]])).toEqual([
      ["shared", "sluice", []],
      ["dedicated", "sluice_t_acme", ["acme"]],
      ["dedicated", "big", ["bigco"]],
      ["dedicated", "sluice_t_cora", ["cora"]],
      ["dedicated", "sluice_t_dora", ["dora"]],
    ]);
    await router.close();
    expect(f.opened.every((o) => o.closed)).toBe(true);
  });
});
