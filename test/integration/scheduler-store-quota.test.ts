import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Collection, Db, Document } from "mongodb";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { QuotaSource } from "../../scheduler/store/quota-source.ts";
import { defaultTenantQuota } from "../../infra/provision/default-quota.ts";
import { sleep } from "./helpers/env.ts";
import { testDatabase } from "./helpers/mongo.ts";

const ACME = tenantId("acme");
const GLOBEX = tenantId("globex");
const INITECH = tenantId("initech");

/** The quota provisioning gives a new tenant, with overrides. */
function quotaDoc(id: string, overrides: Record<string, unknown> = {}): Document {
  return { ...defaultTenantQuota(tenantId(id), new Date()), ...overrides };
}

describe("QuotaSource: live quota reload from the tenants collection", () => {
  let db: Db;
  let drop: () => Promise<void>;
  let tenants: Collection<Document>;

  beforeAll(async () => {
    ({ db, drop } = await testDatabase("sstore-quota"));
    tenants = db.collection(COLLECTIONS.tenants);
    await tenants.createIndex({ tenantId: 1 }, { unique: true, name: "tenant_unique" });
  });
  afterAll(() => drop());
  beforeEach(async () => {
    await tenants.deleteMany({});
  });

  const source = (opts: { fullResyncEvery?: number; overlapMs?: number; pollIntervalMs?: number } = {}) =>
    new QuotaSource(tenants, { now: Date.now, log: silentLogger(), ...opts });

  it("loads every valid document at the first poll; a never-valid tenant is reported and not schedulable", async () => {
    await tenants.insertMany([
      quotaDoc("acme", { weight: 3 }),
      quotaDoc("globex"),
      quotaDoc("initech", { rate: { perSecond: 0, burst: 5 } }),
    ]);
    const s = source();
    const report = await s.poll();
    expect(report.kind).toBe("full");
    expect([...report.applied].sort()).toEqual([ACME, GLOBEX]);
    expect(s.book.get(ACME)?.weight).toBe(3);
    expect(s.book.isSchedulable(INITECH)).toBe(false);
    expect(report.rejected).toEqual([
      expect.objectContaining({
        tenantId: INITECH,
        keptVersion: undefined,
        problems: [{ path: "rate.perSecond", message: "must be > 0" }],
      }),
    ]);
  });

  it("an operator's $set + $currentDate edit is visible after one incremental poll; unchanged docs are skipped", async () => {
    await tenants.insertMany([quotaDoc("acme"), quotaDoc("globex")]);
    const s = source();
    await s.poll();
    await tenants.updateOne(
      { tenantId: "acme" },
      { $set: { weight: 7, maxConcurrency: 3 }, $inc: { version: 1 }, $currentDate: { updatedAt: true } },
    );
    const report = await s.poll();
    expect(report.kind).toBe("incremental");
    expect(report.applied).toEqual([ACME]);
    expect(s.book.get(ACME)).toMatchObject({ weight: 7, maxConcurrency: 3, version: 2 });
    // globex is inside the overlap window (re-read) but unchanged, so not re-applied.
    const again = await s.poll();
    expect(again.applied).toEqual([]);
    expect(again.unchanged).toBe(again.read);
  });

  it("accepts updatedAt as epoch milliseconds", async () => {
    await tenants.insertOne(quotaDoc("acme", { updatedAt: Date.now() - 60_000 }));
    const s = source();
    await s.poll();
    expect(s.book.get(ACME)?.updatedAt).toBeInstanceOf(Date);
    await tenants.updateOne({ tenantId: "acme" }, { $set: { weight: 5, updatedAt: Date.now(), version: 2 } });
    const report = await s.poll();
    expect(report.kind).toBe("incremental");
    expect(s.book.get(ACME)?.weight).toBe(5);
  });

  it("an invalid edit keeps the last valid quota applying and is reported with its field path", async () => {
    await tenants.insertOne(quotaDoc("acme", { maxConcurrency: 4 }));
    const s = source();
    await s.poll();
    await tenants.updateOne(
      { tenantId: "acme" },
      {
        $set: { maxConcurrency: -2, "rate.burst": "lots" },
        $inc: { version: 1 },
        $currentDate: { updatedAt: true },
      },
    );
    const report = await s.poll();
    expect(report.rejected).toHaveLength(1);
    expect(report.rejected[0]).toMatchObject({ tenantId: ACME, keptVersion: 1 });
    expect(report.rejected[0]?.problems.map((p) => p.path).sort()).toEqual(["maxConcurrency", "rate.burst"]);
    expect(s.book.get(ACME)?.maxConcurrency).toBe(4);
    expect(s.book.problemsOf(ACME)?.problems).toHaveLength(2);
    // Fixing it applies the fix and clears the problems.
    await tenants.updateOne(
      { tenantId: "acme" },
      {
        $set: { maxConcurrency: 6, "rate.burst": 10 },
        $inc: { version: 1 },
        $currentDate: { updatedAt: true },
      },
    );
    await s.poll();
    expect(s.book.get(ACME)?.maxConcurrency).toBe(6);
    expect(s.book.problemsOf(ACME)).toBeUndefined();
  });

  it("a deleted tenant disappears at the next full resync", async () => {
    await tenants.insertMany([quotaDoc("acme"), quotaDoc("globex")]);
    const s = source({ fullResyncEvery: 3 });
    await s.poll(); // full
    await tenants.deleteOne({ tenantId: "globex" });
    expect((await s.poll()).kind).toBe("incremental");
    expect(s.book.isSchedulable(GLOBEX)).toBe(true); // an incremental poll cannot see a delete
    await s.poll();
    const report = await s.poll(); // 4th poll: full
    expect(report.kind).toBe("full");
    expect(report.removed).toEqual([GLOBEX]);
    expect(s.book.isSchedulable(GLOBEX)).toBe(false);
    expect(s.book.isSchedulable(ACME)).toBe(true);
  });

  it("an edit that forgets updatedAt is caught by the full resync (content hash)", async () => {
    const old = new Date(Date.now() - 3_600_000);
    await tenants.insertOne(quotaDoc("acme", { updatedAt: old }));
    const s = source({ fullResyncEvery: 2, overlapMs: 0 });
    await s.poll();
    await tenants.updateOne({ tenantId: "acme" }, { $set: { weight: 9 } }); // no updatedAt, no version bump
    const incremental = await s.poll();
    expect(incremental.read).toBe(0);
    expect(s.book.get(ACME)?.weight).toBe(1);
    const full = await s.poll();
    expect(full.kind).toBe("full");
    expect(full.applied).toEqual([ACME]);
    expect(s.book.get(ACME)?.weight).toBe(9);
  });

  it("a document re-created with a lower version applies at the resync (the store is the truth)", async () => {
    await tenants.insertOne(quotaDoc("acme", { version: 5 }));
    const s = source({ fullResyncEvery: 2 });
    await s.poll();
    await tenants.deleteOne({ tenantId: "acme" });
    await tenants.insertOne(quotaDoc("acme", { version: 1, weight: 2 }));
    const incremental = await s.poll();
    expect(incremental.stale).toEqual([ACME]);
    expect(s.book.get(ACME)?.version).toBe(5);
    await s.poll(); // full: forced
    expect(s.book.get(ACME)).toMatchObject({ version: 1, weight: 2 });
  });

  it("start() loads before returning; an edit applies within 2 s with the default 500 ms poll", async () => {
    await tenants.insertOne(quotaDoc("acme", { maxConcurrency: 2 }));
    const s = source();
    await s.start();
    try {
      expect(s.book.get(ACME)?.maxConcurrency).toBe(2);
      const samples: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        await sleep(Math.random() * 500); // edits land at a random phase of the poll cycle
        const editedAt = performance.now();
        await tenants.updateOne(
          { tenantId: "acme" },
          { $set: { maxConcurrency: 10 + i }, $inc: { version: 1 }, $currentDate: { updatedAt: true } },
        );
        while (s.book.get(ACME)?.maxConcurrency !== 10 + i) {
          if (performance.now() - editedAt > 3_000) throw new Error("edit not applied within 3 s");
          await sleep(5);
        }
        samples.push(performance.now() - editedAt);
      }
      console.log(`quota reload latency (ms): ${samples.map((x) => x.toFixed(0)).join(", ")}`);
      expect(Math.max(...samples)).toBeLessThan(2_000);
    } finally {
      await s.stop();
      await s.stop(); // idempotent
    }
  });
});
