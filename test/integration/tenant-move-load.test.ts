/**
 * Promotion and demotion under load on the real stack: a fair scheduler, two workers and a sweeper
 * process a tenant's jobs (sleep steps) while `tenants promote` and then `tenants demote` move it,
 * more jobs arriving during each move. Afterwards every job of both tenants is complete exactly once
 * (one document per idempotency key, in the tenant's current home only), the move's counts and
 * content hashes match before and after, and the other tenant never left the shared database.
 */
import type { Db } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planMove, runMove, type MoveDeps } from "../../scheduler/moves/tenant-move.ts";
import { createAuditLog } from "../../shared/audit/audit-log.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { waitUntil, type FairFleet } from "./helpers/fair-fleet.ts";
import { startMoveLoadFleet } from "./helpers/move-load-fleet.ts";

const acme = tenantId("acme");
const ops = { kind: "os" as const, subject: "ops" };
/** Short leases: a job whose worker lost its write against the fence is taken over soon. */
process.env["SLUICE_LEASE_SECONDS"] = "3";
/** Routers re-read the tenant document every second; the move waits 3 s after its switch. */
process.env["SLUICE_TENANT_ROUTE_TTL_MS"] = "1000";

let ff: FairFleet;
let shared: Db;
let dedicated: Db;
let progress: string[];

beforeAll(async () => {
  ({ ff, shared, dedicated } = await startMoveLoadFleet("moveload"));
}, 60_000);
afterAll(async () => {
  await ff?.cleanup();
  await dedicated?.dropDatabase().catch(() => undefined);
});

function deps(): MoveDeps {
  progress = [];
  return {
    sharedDb: shared,
    openHome: async (home) => ({ db: shared.client.db(home.database), close: async () => undefined }),
    audit: createAuditLog(shared),
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    graceMs: 3_000,
    progress: (l) => progress.push(l),
  };
}

async function jobsByKey(db: Db, tenant: string): Promise<Map<string, string[]>> {
  const rows = await db
    .collection(COLLECTIONS.jobs)
    .find({ tenantId: tenant }, { projection: { idempotencyKey: 1, status: 1 } })
    .toArray();
  const out = new Map<string, string[]>();
  for (const r of rows)
    out.set(String(r["idempotencyKey"]), [
      ...(out.get(String(r["idempotencyKey"])) ?? []),
      String(r["status"]),
    ]);
  return out;
}

async function allComplete(db: Db, tenant: string, keys: readonly string[]): Promise<boolean> {
  const byKey = await jobsByKey(db, tenant);
  return keys.every((k) => byKey.get(k)?.length === 1 && byKey.get(k)?.[0] === "complete");
}

describe("moving a tenant while its jobs run", () => {
  it("promote then demote: every job completes exactly once in the current home; hashes verified; the other tenant unaffected", async () => {
    const acmeKeys = await ff.sendJobs("acme", 30, 400);
    const globexKeys = await ff.sendJobs("globex", 20, 400);
    await waitUntil(
      async () => (await ff.countJobs("acme", { status: "running" })) > 0,
      30_000,
      "acme running",
    );

    // Promote while acme's jobs run and more arrive.
    await planMove(deps(), {
      tenant: acme,
      direction: "promote",
      database: dedicated.databaseName,
      actor: ops,
    });
    const moving = runMove(deps(), acme);
    acmeKeys.push(...(await ff.sendJobs("acme", 15, 200)));
    const promoted = await moving;
    expect(promoted.phase).toBe("done");
    expect(promoted.after).toEqual(promoted.before);
    expect(promoted.before!["jobs"]!.count).toBeGreaterThan(0);
    acmeKeys.push(...(await ff.sendJobs("acme", 10, 200)));

    await waitUntil(
      () => allComplete(dedicated, "acme", acmeKeys),
      120_000,
      "acme's jobs complete in its own database",
    );
    expect(
      await shared.collection(COLLECTIONS.jobs).countDocuments({ tenantId: { $in: ["acme", "~acme"] } }),
    ).toBe(0);
    expect((await jobsByKey(dedicated, "acme")).size).toBe(acmeKeys.length);

    // Demote while new jobs run.
    const more = await ff.sendJobs("acme", 20, 400);
    acmeKeys.push(...more);
    await waitUntil(
      async () =>
        (await dedicated
          .collection(COLLECTIONS.jobs)
          .countDocuments({ tenantId: "acme", status: "running" })) > 0,
      30_000,
      "acme running again",
    );
    await planMove(deps(), { tenant: acme, direction: "demote", actor: ops });
    const back = runMove(deps(), acme);
    acmeKeys.push(...(await ff.sendJobs("acme", 10, 200)));
    const demoted = await back;
    expect(demoted.phase).toBe("done");
    expect(demoted.after).toEqual(demoted.before);

    await waitUntil(
      () => allComplete(shared, "acme", acmeKeys),
      120_000,
      "acme's jobs complete back in the shared database",
    );
    expect((await jobsByKey(shared, "acme")).size).toBe(acmeKeys.length);
    const names = (await shared.client.db("admin").admin().listDatabases()).databases.map((d) => d.name);
    expect(names).not.toContain(dedicated.databaseName);

    // The other tenant: every job complete once, in the shared database throughout.
    await waitUntil(() => allComplete(shared, "globex", globexKeys), 60_000, "globex's jobs complete");
    expect((await jobsByKey(shared, "globex")).size).toBe(globexKeys.length);
    expect((await createAuditLog(shared).list(acme)).map((e) => e.action)).toEqual([
      "tenant.demote",
      "tenant.promote",
    ]);
  }, 300_000);
});
