/**
 * Issue 9, item 12: a fleet without a sweeper is noticed. Workers running a sweeper write a sweeper
 * heartbeat; `tenants list` (text and --json) and the scheduler's sweeper watch warn when none is
 * alive.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SweeperRegistry } from "../../shared/fleet/sweeper-heartbeats.ts";
import { tenantsCommand } from "../../scheduler/cli/tenants.ts";
import { createWorkerProcess, type WorkerProcess } from "../../workers/worker-process.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

let fleet: TestFleet;
const procs: WorkerProcess[] = [];

beforeAll(async () => {
  fleet = await createTestFleet("sweepbeat", { env: { SLUICE_SWEEPER_INTERVAL_MS: "200" } });
}, 120_000);

afterAll(async () => {
  for (const p of procs) await p.stop();
  await fleet?.cleanup();
});

async function list(json = false): Promise<{ out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await tenantsCommand(json ? ["list", "--json"] : ["list"], {
    db: fleet.rt.fleetDb,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  expect(code).toBe(0);
  return { out: out.join("\n"), err: err.join("\n") };
}

async function startProcess(sweeper: boolean): Promise<WorkerProcess> {
  const proc = createWorkerProcess(await fleet.runtime(), {
    catalog: fleet.catalog,
    steps: fleet.steps,
    sweeper,
    onUnrecoverable: () => undefined,
  });
  procs.push(proc);
  await proc.start();
  return proc;
}

describe("sweeper heartbeats", () => {
  it("tenants list warns while no sweeper is alive, and stops once one heartbeats", async () => {
    const registry = new SweeperRegistry(fleet.rt.fleetDb);
    // Workers all started with --no-sweeper: no heartbeat.
    const noSweeper = await startProcess(false);
    expect((await registry.view(Date.now())).live).toEqual([]);
    const before = await list();
    expect(before.err).toContain("no sweeper is alive");
    const beforeJson = JSON.parse((await list(true)).out) as { sweepers: Record<string, unknown> };
    expect(beforeJson.sweepers).toMatchObject({
      sweepersAlive: 0,
      warning: expect.stringContaining("no sweeper"),
    });

    // A worker with its sweeper: it heartbeats once its sweeper ticks.
    const withSweeper = await startProcess(true);
    const view = await registry.view(Date.now());
    expect(view.live.map((s) => s.sweeperId)).toEqual([withSweeper.capacity.workerId]);
    expect((await list()).err).toBe("");
    const afterJson = JSON.parse((await list(true)).out) as { sweepers: Record<string, unknown> };
    expect(afterJson.sweepers).toEqual({ sweepersAlive: 1, warning: null });

    // It stops cleanly: its heartbeat goes, and the warning is back.
    await withSweeper.stop();
    expect((await list()).err).toContain("no sweeper is alive");
    await noSweeper.stop();
  });

  it("a heartbeat older than the staleness window does not count", async () => {
    const registry = new SweeperRegistry(fleet.rt.fleetDb);
    const now = Date.now();
    await registry.heartbeat({ sweeperId: "old", at: now - 60_000, lastTickAt: now - 60_000 });
    const view = await registry.view(now);
    expect(view.live).toEqual([]);
    expect(view.stale).toBeGreaterThanOrEqual(1);
    expect(view.warning).toContain("no sweeper is alive");
    await registry.remove("old");
  });
});
