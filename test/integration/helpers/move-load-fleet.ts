/**
 * The fleet of the tenant-move load tests: tenants acme and globex (cap 6, weight 1 each), a
 * scheduler, two workers of 6 slots and a sweeper, all running, so a move happens under load; and
 * the shared database with the one acme is promoted into.
 */
import type { Db } from "mongodb";
import { createFairFleet, type FairFleet } from "./fair-fleet.ts";

export interface MoveLoadFleet {
  readonly ff: FairFleet;
  readonly shared: Db;
  /** Where a promotion of acme to `dedicated` puts its data (dropped by the test's afterAll). */
  readonly dedicated: Db;
}

export async function startMoveLoadFleet(label: string): Promise<MoveLoadFleet> {
  const ff = await createFairFleet(label, ["acme", "globex"], 6);
  const shared = ff.fleet.rt.fleetDb;
  const dedicated = shared.client.db(`${shared.databaseName}_acme`.slice(0, 63));
  await ff.setQuota("acme", { maxConcurrency: 6, weight: 1 });
  await ff.setQuota("globex", { maxConcurrency: 6, weight: 1 });
  await ff.startScheduler();
  await ff.startWorker();
  await ff.startWorker();
  ff.fleet.sweeper({ staleQueuedMs: 2_000 }).start();
  return { ff, shared, dedicated };
}
