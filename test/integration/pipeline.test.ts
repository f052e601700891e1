import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attrValue, type ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { createWorker } from "../../workers/create-worker.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { releaseTick } from "./helpers/release-driver.ts";

/**
 * The foundation's acceptance: a message on a tenant's intake queue becomes a complete job through
 * intake release (the same `releaseMessage` the fair scheduler uses) and a worker; messages that can never become jobs end in the intake DLQ with a reason.
 * Driven tick by tick (no background loops), against the real local stack.
 */
const acme = tenantId("acme");
let fleet: TestFleet;

beforeAll(async () => {
  fleet = await createTestFleet("pipeline", { tenants: ["acme", "globex"] });
});
afterAll(() => fleet?.cleanup());

async function dropOnIntake(body: string): Promise<void> {
  const { queueUrl } = await fleet.rt.queues.intake(acme);
  await fleet.rt.sqs.send(queueUrl, { body });
}

async function drainDlq(): Promise<ReceivedMessage[]> {
  const { dlqUrl } = await fleet.rt.queues.intake(acme);
  const all: ReceivedMessage[] = [];
  for (let i = 0; i < 5; i++) {
    const batch = await fleet.rt.sqs.receive(dlqUrl, { maxMessages: 10, waitSeconds: 1 });
    for (const m of batch) await fleet.rt.sqs.delete(dlqUrl, m.receiptHandle);
    all.push(...batch);
    if (batch.length === 0 && all.length > 0) break;
  }
  return all;
}

describe("intake → scheduler → worker → MongoDB", () => {
  it("runs a hello job to complete with the step's output", async () => {
    const worker = createWorker(fleet.rt, { catalog: fleet.catalog, steps: fleet.steps });
    await dropOnIntake(
      JSON.stringify({ tenantId: "acme", workflow: "hello", idempotencyKey: "k-1", input: { name: "Ada" } }),
    );
    const tick = await releaseTick(fleet.rt, fleet.catalog, fleet.tenants, 1);
    expect(tick).toEqual({ released: 1, rejected: 0, duplicates: 0 });
    const job = await fleet.rt.jobsOf(acme).findByIdempotencyKey("k-1");
    expect(job?.status).toBe("queued");

    const outcomes = await worker.pollOnce(2);
    expect(outcomes).toEqual([{ kind: "finished", status: "complete" }]);
    const done = await fleet.getJob("acme", job!._id);
    expect(done?.status).toBe("complete");
    expect(done?.output).toMatchObject({
      inline: { name: "Ada", greeting: "Hello", result: { message: "Hello, Ada!", characters: 3 } },
    });
    // At most one write per transition (Prepare, Greet): the claim and the completion. Pure
    // transitions are coalesced into the writes, and the first step of a new execution runs without
    // a checkpoint first (a replay would issue the very same step; see workers/job-runner.ts).
    expect(done!.version).toBe(2);
    expect(done?.lease).toBeNull();
    // The job's own timeline: every state entered and left, in order, with the writes that carried them.
    const trail = done!.history
      .filter((e) => e.type === "state_entered" || e.type === "state_exited")
      .map((e) => `${e.type === "state_entered" ? ">" : "<"}${e.state}`);
    expect(trail).toEqual([">Prepare", "<Prepare", ">Greet", "<Greet"]);
  });

  it("creates one job for a repeated idempotency key", async () => {
    const body = JSON.stringify({
      tenantId: "acme",
      workflow: "hello",
      idempotencyKey: "k-dup",
      input: { name: "B" },
    });
    await dropOnIntake(body);
    await dropOnIntake(body);
    let released = 0;
    for (let i = 0; i < 3 && released < 2; i++)
      released += (await releaseTick(fleet.rt, fleet.catalog, fleet.tenants, 1)).released;
    const count = await fleet.rt.fleetDb
      .collection("jobs")
      .countDocuments({ tenantId: "acme", idempotencyKey: "k-dup" });
    expect(count).toBe(1);
  });

  it("sends malformed, incomplete, foreign and unknown-workflow messages to the intake DLQ with a reason", async () => {
    const bodies = {
      notJson: "{not json",
      missing: JSON.stringify({ tenantId: "acme", input: {} }),
      foreign: JSON.stringify({ tenantId: "globex", workflow: "hello", idempotencyKey: "x", input: {} }),
      unknown: JSON.stringify({ tenantId: "acme", workflow: "no-such-flow", idempotencyKey: "y", input: {} }),
    };
    for (const b of Object.values(bodies)) await dropOnIntake(b);
    let rejected = 0;
    for (let i = 0; i < 5 && rejected < 4; i++)
      rejected += (await releaseTick(fleet.rt, fleet.catalog, fleet.tenants, 1)).rejected;
    expect(rejected).toBe(4);

    const dead = await drainDlq();
    const reasonOf = (body: string) => {
      const m = dead.find((d) => d.body === body);
      expect(m, `no DLQ entry for ${body}`).toBeDefined();
      expect(attrValue(m!.attributes, "sourceQueue")).toBe(`${fleet.name}-intake-acme`);
      return attrValue(m!.attributes, "reason") ?? "";
    };
    expect(reasonOf(bodies.notJson)).toMatch(/^malformed JSON/);
    expect(reasonOf(bodies.missing)).toMatch(/workflow/);
    expect(reasonOf(bodies.missing)).toMatch(/idempotencyKey/);
    expect(reasonOf(bodies.foreign)).toMatch(/wrong tenant.*globex.*acme/);
    expect(reasonOf(bodies.unknown)).toMatch(/unknown workflow "no-such-flow"/);

    // Nothing left behind on the intake queue, and no job was created for any of them.
    const { queueUrl } = await fleet.rt.queues.intake(acme);
    expect(await fleet.rt.sqs.receive(queueUrl, { waitSeconds: 0 })).toEqual([]);
    expect(await fleet.rt.jobsOf(acme).findByIdempotencyKey("y")).toBeNull();
  });
});
