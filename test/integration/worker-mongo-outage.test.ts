/**
 * Issue 9, bug B: a worker survives a MongoDB outage. It stops receiving work while MongoDB is
 * unreachable (receiving would burn receive counts into the DLQ, as 415 failed work messages did),
 * and resumes once MongoDB answers again, recreating its client if the driver does not recover.
 *
 * The test runs its own MongoDB-wire server (h2, so the jobs survive its restart; the shared stack's
 * server is never touched), a worker process's components over it (`createWorkerProcess`, what
 * workers/main.ts runs), kills the server, sends work for jobs while it is down, restarts it and
 * checks that the worker received none of that work while MongoDB was down, then ran every job once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReceivedMessage, SqsPort } from "../../shared/aws/sqs-port.ts";
import type { Runtime } from "../../shared/runtime/runtime.ts";
import { createWorkerProcess, type WorkerProcess } from "../../workers/worker-process.ts";
import { sleep } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { ownMongo, type OwnMongo } from "./helpers/own-mongo.ts";

let mongo: OwnMongo;
let fleet: TestFleet;
let proc: WorkerProcess | undefined;

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  mongo = await ownMongo("outage");
  await mongo.start();
  fleet = await createTestFleet("outage", {
    env: {
      MONGO_URL: mongo.url,
      SLUICE_HEALTH_CHECK_MS: "200",
      SLUICE_MONGO_RECONNECT_AFTER_MS: "1000",
      SLUICE_VISIBILITY_TIMEOUT_SECONDS: "5",
      SLUICE_SHUTDOWN_GRACE_MS: "1000",
    },
  });
}, 120_000);

afterAll(async () => {
  await proc?.stop();
  if (mongo) await mongo.start().catch(() => undefined); // cleanup drops the database on it
  await fleet?.cleanup();
  await mongo?.dispose();
});

describe("a worker through a MongoDB outage", () => {
  it("receives no work while MongoDB is down, then resumes and runs every job once", async () => {
    // Every message the worker receives, and whether MongoDB was down when it did.
    let phase: "up" | "down" = "up";
    const received: { message: ReceivedMessage; phase: "up" | "down" }[] = [];
    const rt: Runtime = await fleet.runtime();
    const sqs: SqsPort = Object.assign(Object.create(rt.sqs) as SqsPort, {
      receive: async (...args: Parameters<SqsPort["receive"]>) => {
        const messages = await rt.sqs.receive(...args);
        for (const message of messages) received.push({ message, phase });
        return messages;
      },
    });
    const unrecoverable: string[] = [];
    proc = createWorkerProcess(
      { ...rt, sqs },
      {
        catalog: fleet.catalog,
        steps: fleet.steps,
        sweeper: false,
        owner: "outage-worker",
        onUnrecoverable: (r) => unrecoverable.push(r),
      },
    );
    await proc.start();

    const first = await fleet.submit("acme", "hello", { name: "Ada" });
    await fleet.waitForJob("acme", first, (j) => j.status === "complete");
    const later: string[] = [];
    for (let i = 0; i < 3; i++)
      later.push(await fleet.submit("acme", "hello", { name: `B${i}` }, { send: false }));

    await mongo.kill();
    await until(() => !proc!.mongo.up, "the worker to notice MongoDB is down");
    await sleep(1_500); // a long poll already out (1 s wait) returns; nothing new goes out
    phase = "down";
    for (const jobId of later) await fleet.sendWork("acme", jobId);
    await sleep(3_000); // three poll waits: a worker still receiving would have taken them by now
    expect(received.filter((r) => r.phase === "down")).toEqual([]);
    expect(proc.worker.busy).toBe(0);
    expect(proc.watchdog.healthy && proc.mongo.up).toBe(false); // what its heartbeat reports

    await mongo.start();
    phase = "up";
    for (const jobId of later) {
      const job = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete", 60_000);
      expect(job.status).toBe("complete");
    }
    expect(proc.mongo.up).toBe(true);
    // Each message was received once, after the restart; nothing went to the DLQ; no give-up.
    const laterBodies = received.filter((r) => later.some((id) => r.message.body.includes(id)));
    expect(laterBodies.map((r) => r.message.receiveCount)).toEqual([1, 1, 1]);
    const dlq = await rt.sqs.approximateDepth(rt.queues.workDlq);
    expect(dlq.visible + dlq.inFlight + dlq.delayed).toBe(0);
    expect(unrecoverable).toEqual([]);
  });
});
