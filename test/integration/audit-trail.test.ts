/**
 * The audit trail on the real MongoDB-wire server (shared/audit/audit-log.ts): entries listed per
 * tenant newest first with limit and `before` paging, invalid entries refused before anything is
 * written, `tenants set` recording who changed which quota fields from what to what, and
 * `tenants audit` printing the table and the JSON. Cancel, retry and review decisions are checked
 * where those operations are tested (jobs-operations, durable-review).
 */
import type { Db } from "mongodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tenantsCommand, type TenantsDeps } from "../../scheduler/cli/tenants.ts";
import { createAuditLog, type AuditActor, type AuditLog } from "../../shared/audit/audit-log.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { testDatabase } from "./helpers/mongo.ts";

const acme = tenantId("acme");
const globex = tenantId("globex");
const ada: AuditActor = { kind: "os", subject: "ada" };

let db: Db;
let drop: () => Promise<void>;
let audit: AuditLog;

beforeAll(async () => {
  ({ db, drop } = await testDatabase("audit"));
  await ensureIndexes(db);
  audit = createAuditLog(db);
});
afterAll(() => drop());
beforeEach(async () => {
  await db.collection(COLLECTIONS.audit).deleteMany({});
  await db.collection(COLLECTIONS.tenants).deleteMany({});
});

describe("audit log", () => {
  it("lists a tenant's entries newest first, with limit and before; never another tenant's", async () => {
    const t0 = Date.parse("2026-12-01T10:00:00Z");
    for (let i = 0; i < 5; i += 1) {
      await audit.append({
        tenantId: acme,
        actor: ada,
        action: "job.cancel",
        target: { jobId: `job-${i}` },
        before: { status: "running" },
        after: { status: "cancelled" },
        at: new Date(t0 + i * 1000),
      });
    }
    await audit.append({ tenantId: globex, actor: ada, action: "quota.set", at: new Date(t0 + 10_000) });

    const all = await audit.list(acme);
    expect(all.map((e) => e.target?.jobId)).toEqual(["job-4", "job-3", "job-2", "job-1", "job-0"]);
    expect(all[0]).toMatchObject({
      tenantId: "acme",
      actor: { kind: "os", subject: "ada" },
      action: "job.cancel",
      before: { status: "running" },
      after: { status: "cancelled" },
      at: new Date(t0 + 4000),
    });
    const page1 = await audit.list(acme, { limit: 2 });
    expect(page1.map((e) => e.target?.jobId)).toEqual(["job-4", "job-3"]);
    const page2 = await audit.list(acme, { limit: 2, before: page1.at(-1)!.at });
    expect(page2.map((e) => e.target?.jobId)).toEqual(["job-2", "job-1"]);
    expect((await audit.list(globex)).map((e) => e.action)).toEqual(["quota.set"]);
  });

  it("refuses an invalid entry and writes nothing", async () => {
    const bad = [
      { tenantId: "Not A Tenant", actor: ada, action: "quota.set", at: new Date() },
      { tenantId: acme, actor: { kind: "root", subject: "x" }, action: "quota.set", at: new Date() },
      { tenantId: acme, actor: { kind: "os", subject: "" }, action: "quota.set", at: new Date() },
      { tenantId: acme, actor: ada, action: "", at: new Date() },
    ];
    for (const entry of bad) {
      await expect(audit.append(entry as Parameters<AuditLog["append"]>[0])).rejects.toThrow();
    }
    expect(await db.collection(COLLECTIONS.audit).countDocuments({})).toBe(0);
  });
});

describe("tenants set and tenants audit", () => {
  let stdout: string[];
  let stderr: string[];
  const deps = (actor?: AuditActor): TenantsDeps => ({
    db,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    log: silentLogger(),
    ...(actor ? { actor } : {}),
  });
  beforeEach(async () => {
    stdout = [];
    stderr = [];
    const quota = (id: string) => ({
      _id: id,
      tenantId: id,
      status: "active",
      tier: "shared",
      weight: 1,
      maxConcurrency: 4,
      minConcurrency: 0,
      rate: null,
      updatedAt: new Date(),
      version: 1,
    });
    await db.collection<{ _id: string }>(COLLECTIONS.tenants).insertMany([quota("acme"), quota("globex")]);
  });

  it("records each edit with its actor and the changed fields before and after", async () => {
    expect(await tenantsCommand(["set", "acme", "weight=2", "maxConcurrency=10"], deps(ada))).toBe(0);
    expect(await tenantsCommand(["set", "acme", "weight=5", "status=paused"], deps(ada))).toBe(0);
    // A rejected edit (invalid result) writes nothing and records nothing.
    expect(await tenantsCommand(["set", "acme", "weight=-1"], deps(ada))).toBe(1);

    const entries = await audit.list(acme);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      actor: ada,
      action: "quota.set",
      before: { weight: 2, status: "active" },
      after: { weight: 5, status: "paused" },
    });
    expect(entries[1]).toMatchObject({
      action: "quota.set",
      before: { weight: 1, maxConcurrency: 4 },
      after: { weight: 2, maxConcurrency: 10 },
    });
    expect(entries[0]!.target).toBeUndefined();
  });

  it("a CLI run without an actor given records the OS user", async () => {
    expect(await tenantsCommand(["set", "globex", "weight=3"], deps())).toBe(0);
    const [entry] = await audit.list(globex);
    expect(entry!.actor.kind).toBe("os");
    expect(entry!.actor.subject.length).toBeGreaterThan(0);
  });

  it("tenants audit prints when, who, action, target and change; --json the entries", async () => {
    // The listing is newest first; entries written in the same millisecond have no defined order
    // (their ids' random part decides), so each write here starts on a later millisecond.
    const nextMs = async () => {
      const t = Date.now();
      while (Date.now() === t) await new Promise((r) => setTimeout(r, 1));
    };
    await tenantsCommand(["set", "acme", "weight=2"], deps(ada));
    await nextMs();
    await tenantsCommand(["set", "acme", "weight=7"], deps({ kind: "token", subject: "user-42" }));
    await nextMs();
    await audit.append({
      tenantId: acme,
      actor: ada,
      action: "job.retry",
      target: { jobId: "01JOB" },
      before: { status: "failed" },
      after: { status: "queued", from: "start" },
      at: new Date(),
    });
    stdout = [];
    expect(await tenantsCommand(["audit", "acme"], deps())).toBe(0);
    const lines = stdout.join("\n").split("\n");
    expect(lines[0]).toMatch(/^when\s+who\s+action\s+target\s+change$/);
    expect(lines[1]).toMatch(/os:ada\s+job\.retry\s+job 01JOB\s+status: failed → queued; from: - → start/);
    expect(lines[2]).toMatch(/token:user-42\s+quota\.set\s+tenant\s+weight: 2 → 7/);
    expect(lines[3]).toMatch(/os:ada\s+quota\.set\s+tenant\s+weight: 1 → 2/);
    expect(lines).toHaveLength(4);

    stdout = [];
    expect(await tenantsCommand(["audit", "acme", "--limit", "1", "--json"], deps())).toBe(0);
    const json = JSON.parse(stdout.join("\n")) as { entries: { action: string }[] };
    expect(json.entries.map((e) => e.action)).toEqual(["job.retry"]);

    expect(await tenantsCommand(["audit", "acme", "--limit", "0"], deps())).toBe(2);
    expect(await tenantsCommand(["audit"], deps())).toBe(2);
  });
});
