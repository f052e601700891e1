/**
 * A work message whose job is not found goes to the work DLQ ("no job ... for tenant ..."), except
 * while the job's tenant moves between homes (tenant_moves, shared/moves/move-record.ts): then the
 * job is in flight between homes (fenced in the old one), and the message is made visible again to
 * be retried once the routers point at the new home.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { sleep } from "./helpers/env.ts";

let fleet: TestFleet;

beforeAll(async () => {
  fleet = await createTestFleet("movehook", { tenants: ["acme"] });
  await fleet.startWorker();
});
afterAll(() => fleet?.cleanup());

describe("a missing job while its tenant moves", () => {
  it("is retried, not dead-lettered; once the move is over it is dead-lettered", async () => {
    const moves = fleet.rt.fleetDb.collection<{ _id: string; phase: string }>(COLLECTIONS.tenantMoves);
    await moves.insertOne({ _id: "acme", phase: "fenced" });
    const jobId = "01MOVINGJOB000000000000000";
    await fleet.sendWork("acme", jobId);
    await sleep(3_000);
    const early = await fleet.rt.sqs.receive(fleet.rt.queues.workDlq, { waitSeconds: 1 });
    expect(early).toHaveLength(0);

    await moves.updateOne({ _id: "acme" }, { $set: { phase: "done" } });
    const deadline = Date.now() + 20_000;
    let dead: { body: string }[] = [];
    while (dead.length === 0 && Date.now() < deadline) {
      dead = await fleet.rt.sqs.receive(fleet.rt.queues.workDlq, { waitSeconds: 2 });
    }
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]!.body)).toMatchObject({ tenantId: "acme", jobId });
  }, 40_000);
});
