import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "mongodb";
import { COLLECTIONS } from "../../../shared/mongo/collections.ts";
import { connectMongo, type MongoHandle } from "../../../shared/mongo/client.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { TokenBudgetStore } from "../../../workers/ai/llm/budget/token-budget.ts";
import { testConfig } from "../helpers/env.ts";
import { testDatabase } from "../helpers/mongo.ts";
import { oneDbRouter } from "../../support/one-db-router.ts";

const ACME = tenantId("acme");
const GLOBEX = tenantId("globex");

describe("TokenBudgetStore on the MongoDB-wire server", () => {
  let db: Db;
  let drop: () => Promise<void>;
  let replica: MongoHandle;
  let replicaDb: Db;
  let now = new Date("2026-12-04T10:00:00Z");
  const clock = () => now;

  beforeAll(async () => {
    ({ db, drop } = await testDatabase("llm-budget"));
    // A second, independent connection: another worker process.
    replica = await connectMongo(testConfig({ SLUICE_DB: db.databaseName }), { appName: "llm-budget-2" });
    replicaDb = replica.db();
  });
  afterAll(async () => {
    await replica.close();
    await drop();
  });
  beforeEach(async () => {
    now = new Date("2026-12-04T10:00:00Z");
    await db.collection(COLLECTIONS.llmUsage).deleteMany({});
  });

  it("reserves, settles to the reported usage, and refuses what no longer fits", async () => {
    const store = new TokenBudgetStore(oneDbRouter(db), clock);
    const first = await store.reserve(ACME, 600, 1000);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(await store.used(ACME)).toBe(600);
    await store.settle(first.reservation, 150);
    expect(await store.used(ACME)).toBe(150);

    const second = await store.reserve(ACME, 850, 1000);
    expect(second.ok).toBe(true);
    const third = await store.reserve(ACME, 1, 1000);
    expect(third).toEqual({ ok: false, used: 1000, budget: 1000, month: "2026-12" });

    const doc = await db.collection(COLLECTIONS.llmUsage).findOne({ _id: "acme:2026-12" as never });
    expect(doc).toMatchObject({ tenantId: "acme", month: "2026-12", tokens: 1000, calls: 2 });
    // The other tenant's month is untouched.
    expect(await store.used(GLOBEX)).toBe(0);
  });

  it("a reservation larger than the whole budget is refused without writing", async () => {
    const store = new TokenBudgetStore(oneDbRouter(db), clock);
    expect(await store.reserve(ACME, 2000, 1000)).toEqual({
      ok: false,
      used: 0,
      budget: 1000,
      month: "2026-12",
    });
    expect(await db.collection(COLLECTIONS.llmUsage).countDocuments({})).toBe(0);
  });

  it("a new UTC month starts from zero; a settle lands on the reservation's month", async () => {
    const store = new TokenBudgetStore(oneDbRouter(db), clock);
    const r = await store.reserve(ACME, 900, 1000);
    if (!r.ok) throw new Error("expected a reservation");
    now = new Date("2027-01-01T00:00:01Z");
    await store.settle(r.reservation, 300);
    expect(await store.used(ACME, "2026-12")).toBe(300);
    expect(await store.used(ACME)).toBe(0);
    expect((await store.reserve(ACME, 1000, 1000)).ok).toBe(true);
  });

  it("concurrent reservations from two connections never pass the budget together", async () => {
    const a = new TokenBudgetStore(oneDbRouter(db), clock);
    const b = new TokenBudgetStore(oneDbRouter(replicaDb), clock);
    // 20 calls of 100 tokens against a budget of 1000, half on each connection, from a cold month
    // (the first inserts race too).
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).reserve(ACME, 100, 1000)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => !r.ok)).toHaveLength(10);
    expect(await a.used(ACME)).toBe(1000);
  });
});
