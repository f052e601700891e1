import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Collection, Db, Document } from "mongodb";
import { createFakeSqs } from "../support/sqs-fake.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { tenantsCommand } from "../../scheduler/cli/tenants.ts";
import type { TenantsDeps } from "../../scheduler/cli/tenants.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { QuotaSource } from "../../scheduler/store/quota-source.ts";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import { TenantStatsStore } from "../../scheduler/store/tenant-stats.ts";
import { testDatabase } from "./helpers/mongo.ts";
import { oneDbRouter } from "../support/one-db-router.ts";

const ACME = tenantId("acme");

function quotaDoc(id: string, overrides: Record<string, unknown> = {}): Document {
  return {
    tenantId: id,
    status: "active",
    tier: "shared",
    weight: 2,
    maxConcurrency: 10,
    minConcurrency: 1,
    rate: { perSecond: 50, burst: 100 },
    updatedAt: new Date(),
    version: 1,
    ...overrides,
  };
}

describe("tenants CLI", () => {
  let db: Db;
  let drop: () => Promise<void>;
  let tenants: Collection<Document>;
  let sqs: SqsPort;
  let stdout: string[];
  let stderr: string[];

  beforeAll(async () => {
    ({ db, drop } = await testDatabase("sstore-cli"));
    tenants = db.collection(COLLECTIONS.tenants);
    await tenants.createIndex({ tenantId: 1 }, { unique: true, name: "tenant_unique" });
    await ensureIndexes(db);
  });
  afterAll(() => drop());
  beforeEach(async () => {
    await tenants.deleteMany({});
    await db.collection(COLLECTIONS.jobs).deleteMany({});
    await db.collection(COLLECTIONS.usage).deleteMany({});
    await db.collection(COLLECTIONS.schedulerStats).deleteMany({});
    sqs = createFakeSqs();
    stdout = [];
    stderr = [];
  });

  const deps = (): TenantsDeps => ({
    db,
    sqs,
    queuePrefix: "t",
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    log: silentLogger(),
  });
  const run = (...argv: string[]) => tenantsCommand(argv, deps());

  async function seed(): Promise<void> {
    await tenants.insertMany([
      quotaDoc("acme", { dailyJobQuota: 100 }),
      quotaDoc("globex", { status: "paused", reason: "migration", rate: null }),
      quotaDoc("initech", { weight: -1, rate: { perSecond: 5 } }),
    ]);
    const q = await sqs.ensureQueue("t-intake-acme");
    await sqs.sendBatch(q.url, [{ body: "{}" }, { body: "{}" }, { body: "{}" }]);
    await db.collection(COLLECTIONS.jobs).insertMany([
      {
        _id: "job-00000001",
        tenantId: "acme",
        idempotencyKey: "k1",
        status: "queued",
        wakeAt: null,
      } as Document,
      {
        _id: "job-00000002",
        tenantId: "acme",
        idempotencyKey: "k2",
        status: "running",
        wakeAt: null,
      } as Document,
    ]);
    const usage = new UsageStore(oneDbRouter(db), { now: Date.now, log: silentLogger() });
    await usage.tryAcquire(ACME, 10);
    await usage.tryAcquire(ACME, 10);
  }

  it("list prints a table with quota, running, queued, backlog and problems", async () => {
    await seed();
    expect(await run("list")).toBe(0);
    const text = stdout.join("\n");
    const lines = text.split("\n");
    expect(lines[0]).toMatch(
      /^TENANT\s+STATUS\s+TIER\s+WEIGHT\s+MIN\s+MAX\s+RATE\s+RUNNING\s+QUEUED\s+BACKLOG\s+TODAY\s+RELEASED\/S\s+THROTTLED\s+OWNER\s+PROBLEMS$/,
    );
    expect(lines).toHaveLength(4);
    const acme = lines.find((l) => l.startsWith("acme")) ?? "";
    expect(acme).toMatch(/active\s+shared\s+2\s+1\s+10\s+50\/s burst 100\s+2\s+1\s+3\s+2\/100/);
    expect(lines.find((l) => l.startsWith("globex"))).toMatch(/paused \(migration\).*no intake queue/);
    const initech = lines.find((l) => l.startsWith("initech")) ?? "";
    expect(initech).toContain("INVALID");
    expect(initech).toContain("weight: must be > 0");
    expect(initech).toContain("rate.burst: is required");
  });

  it("list --json is machine-readable", async () => {
    await seed();
    expect(await run("list", "--json")).toBe(0);
    const parsed = JSON.parse(stdout.join("\n")) as { tenants: Record<string, unknown>[] };
    expect(parsed.tenants.map((t) => t["tenant"])).toEqual(["acme", "globex", "initech"]);
    expect(parsed.tenants[0]).toMatchObject({
      valid: true,
      running: 2,
      queued: 1,
      backlog: 3,
      releasedToday: 2,
    });
    expect(parsed.tenants[2]).toMatchObject({ valid: false, quota: null });
  });

  it("list shows each tenant's owning scheduler replica and its lease's time left, aligned", async () => {
    await seed();
    const now = Date.now();
    const leases = db.collection<{ _id: string } & Record<string, unknown>>(COLLECTIONS.schedulerLeases);
    await leases.deleteMany({});
    await leases.insertMany([
      {
        _id: "tenant:acme",
        kind: "tenant",
        tenantId: "acme",
        owner: "rep-a",
        expiresAt: now + 7_500,
        fence: 2,
      },
      {
        _id: "tenant:globex",
        kind: "tenant",
        tenantId: "globex",
        owner: "rep-b",
        expiresAt: now - 1,
        fence: 5,
      },
    ]);
    try {
      expect(await run("list")).toBe(0);
      const lines = stdout.join("\n").split("\n");
      const col = (lines[0] ?? "").indexOf("OWNER");
      const acme = lines.find((l) => l.startsWith("acme")) ?? "";
      const globex = lines.find((l) => l.startsWith("globex")) ?? "";
      expect(acme.slice(col)).toMatch(/^rep-a \(8s\)/);
      expect(globex.slice(col)).toMatch(/^rep-b \(expired\)/);
      expect((lines.find((l) => l.startsWith("initech")) ?? "").slice(col)).toMatch(/^- /);
      stdout.length = 0;
      expect(await run("list", "--json")).toBe(0);
      const parsed = JSON.parse(stdout.join("\n")) as { tenants: Record<string, unknown>[] };
      expect(parsed.tenants[0]?.["owner"]).toEqual({
        replicaId: "rep-a",
        expiresAt: new Date(now + 7_500).toISOString(),
      });
      expect(parsed.tenants[2]?.["owner"]).toBeNull();
    } finally {
      await leases.deleteMany({});
    }
  });

  it("list sums the schedulers' fresh stats per tenant (released/s, throttled) and ignores stale ones", async () => {
    await seed();
    const now = Date.now();
    const stats = (schedulerId: string, tenant: string, ageMs: number, o: Record<string, unknown>) => ({
      schedulerId,
      tenantId: tenant,
      at: new Date(now - ageMs),
      windowMs: 10_000,
      released: 0,
      releasedPerSec: 0,
      throttled: { cap: 0, rate: 0, daily: 0, paused: 0, noQuota: 0 },
      ...o,
    });
    await db.collection(COLLECTIONS.schedulerStats).insertMany([
      stats("s1", "acme", 2_000, {
        released: 30,
        releasedPerSec: 3,
        throttled: { cap: 8, rate: 1, daily: 0, paused: 0, noQuota: 0 },
      }),
      stats("s2", "acme", 12_000, {
        released: 15,
        releasedPerSec: 1.5,
        throttled: { cap: 4, rate: 0, daily: 0, paused: 0, noQuota: 0 },
      }),
      // A scheduler that stopped 5 minutes ago: ignored.
      stats("s3", "acme", 300_000, {
        released: 900,
        releasedPerSec: 90,
        throttled: { cap: 0, rate: 500, daily: 0, paused: 0, noQuota: 0 },
      }),
      stats("s1", "globex", 2_000, { throttled: { cap: 0, rate: 0, daily: 0, paused: 6, noQuota: 0 } }),
    ]);
    expect(await run("list")).toBe(0);
    const lines = stdout.join("\n").split("\n");
    expect(lines.find((l) => l.startsWith("acme"))).toMatch(/2\/100\s+4\.5\s+13 \(cap\)\s+-\s*$/);
    expect(lines.find((l) => l.startsWith("globex"))).toMatch(/\s0\s+6 \(paused\)\s+-\s*$/);
    expect(lines.find((l) => l.startsWith("initech"))).toMatch(/\s-\s+-\s+-\s+weight: must be > 0/);

    stdout = [];
    expect(await run("list", "--json")).toBe(0);
    const parsed = JSON.parse(stdout.join("\n")) as { tenants: Record<string, unknown>[] };
    expect(parsed.tenants[0]).toMatchObject({
      releasedPerSec: 4.5,
      throttled: { total: 13, reason: "cap", cap: 12, rate: 1, daily: 0, paused: 0, noQuota: 0 },
      statsSchedulers: 2,
    });
    expect(parsed.tenants[2]).toMatchObject({ releasedPerSec: null, throttled: null, statsSchedulers: 0 });
  });

  it("the stats store upserts one document per (scheduler, tenant)", async () => {
    const store = new TenantStatsStore(db);
    const now = Date.now();
    const doc = (released: number, at: number) => ({
      schedulerId: "s1",
      tenantId: "acme",
      at: new Date(at),
      windowMs: 10_000,
      released,
      releasedPerSec: released / 10,
      throttled: { cap: 0, rate: 0, daily: 0, paused: 0, noQuota: 0 },
    });
    await store.write([doc(10, now - 10_000)]);
    await store.write([doc(20, now)]);
    expect(await db.collection(COLLECTIONS.schedulerStats).countDocuments({})).toBe(1);
    expect((await store.readRecent(now)).get("acme")).toMatchObject({ schedulers: 1, releasedPerSec: 2 });
  });

  it("check prints each problem with its field path and exits 1; 0 when all are valid", async () => {
    await seed();
    expect(await run("check")).toBe(1);
    expect(stdout).toEqual([
      "initech: invalid",
      "  weight: must be > 0",
      "  rate.burst: is required",
      "3 tenant document(s) checked, 1 invalid",
    ]);
    await tenants.deleteOne({ tenantId: "initech" });
    stdout = [];
    expect(await run("check", "--json")).toBe(0);
    expect(JSON.parse(stdout.join("\n"))).toMatchObject({ ok: true, checked: 2, invalid: [] });
  });

  it("set validates, bumps version and updatedAt, and the scheduler's next poll applies it", async () => {
    await tenants.insertOne(quotaDoc("acme", { updatedAt: new Date(Date.now() - 60_000) }));
    const source = new QuotaSource(tenants, { now: Date.now, log: silentLogger() });
    await source.poll();
    expect(
      await run("set", "acme", "weight=5", "rate.burst=20", "status=paused", "reason=quota review"),
    ).toBe(0);
    expect(stdout).toEqual(["acme: updated (version 2): weight, rate, status, reason"]);
    const doc = await tenants.findOne({ tenantId: "acme" });
    expect(doc).toMatchObject({
      weight: 5,
      rate: { perSecond: 50, burst: 20 },
      status: "paused",
      version: 2,
    });
    expect((doc?.["updatedAt"] as Date).getTime()).toBeGreaterThan(Date.now() - 10_000);
    await source.poll();
    expect(source.book.get(ACME)).toMatchObject({
      weight: 5,
      status: "paused",
      reason: "quota review",
      version: 2,
    });
  });

  it("set refuses an edit that would make the document invalid, and leaves it untouched", async () => {
    await tenants.insertOne(quotaDoc("acme"));
    expect(await run("set", "acme", "minConcurrency=50", "rate.perSecond=0")).toBe(1);
    expect(stderr.join("\n")).toContain("minConcurrency: must be <= maxConcurrency (10)");
    expect(stderr.join("\n")).toContain("rate.perSecond: must be > 0");
    expect(await tenants.findOne({ tenantId: "acme" })).toMatchObject({ minConcurrency: 1, version: 1 });
  });

  it("set creates a tenant that has no document, fills a null rate, and repairs an invalid one", async () => {
    const base = ["status=active", "tier=shared", "weight=1", "maxConcurrency=4", "minConcurrency=0"];
    expect(await run("set", "newco", ...base, "--json")).toBe(0);
    expect(JSON.parse(stdout.join("\n"))).toEqual({ ok: true, tenant: "newco", version: 1, created: true });
    expect(await tenants.findOne({ _id: "newco" as never })).toMatchObject({ tenantId: "newco", version: 1 });
    expect(await run("set", "newco", "rate.perSecond=2", "rate.burst=4")).toBe(0);
    expect(await tenants.findOne({ tenantId: "newco" })).toMatchObject({
      rate: { perSecond: 2, burst: 4 },
      version: 2,
    });
    await tenants.insertOne(quotaDoc("broken", { weight: "heavy", version: "x" }));
    expect(await run("set", "broken", "weight=3")).toBe(0);
    expect(await tenants.findOne({ tenantId: "broken" })).toMatchObject({ weight: 3, version: 1 });
    expect(await run("check")).toBe(0);
  });

  it("usage errors exit 2", async () => {
    expect(await run()).toBe(2);
    expect(await run("frobnicate")).toBe(2);
    expect(await run("set", "Bad Tenant", "weight=1")).toBe(2);
    expect(await run("set", "acme", "version=9")).toBe(2);
    expect(await run("set", "acme", "weight")).toBe(2);
    expect(stderr.join("\n")).toContain("version: not a settable field");
  });
});
