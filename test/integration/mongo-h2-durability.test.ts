/**
 * Issue 9, bug C (2): the persistent (`h2`) MongoDB-wire server keeps every write it acknowledged
 * across a SIGKILL. mongo-java-server's H2 backend committed its MVStore only in the background
 * (about once a second), so a killed server lost the acknowledged writes of the last second: job
 * creations whose intake messages were already deleted, checkpoints that then ran again.
 * infra/mongo/CommitBeforeAck.java commits (and, for `j: true`, fsyncs) before the reply.
 *
 * The test launches its own server process (the command line infra/stack uses, on a free port and
 * a data file of its own; the shared stack's server is never touched), runs job creations and
 * compare-and-set checkpoints against it with the durable write concern, SIGKILLs it while that
 * load is still running, restarts it on the same file and checks every acknowledged write.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newQueuedJob, type JobDoc } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { JobStore } from "../../shared/jobs/job-store.ts";
import { connectMongo, type MongoHandle } from "../../shared/mongo/client.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { tenantCollection } from "../../shared/tenancy/scoped-collection.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { ownMongo, type OwnMongo } from "./helpers/own-mongo.ts";
import { oneDbRouter } from "../support/one-db-router.ts";

const acme = tenantId("acme");
const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const DB = "sluice_h2_crash";
const CREATORS = 4;
const CHECKPOINTERS = 8;
/** The kill comes once this many creations and this many checkpoints were acknowledged. */
const ACKED_BEFORE_KILL = 150;

let server: OwnMongo;

function connect(): Promise<MongoHandle> {
  return connectMongo(
    { mongo: { url: server.url, db: DB, routeTtlMs: 0 } },
    { serverSelectionTimeoutMS: 2_000, appName: "h2-crash-test" },
  );
}

function storeOf(mongo: MongoHandle): JobStore {
  const router = oneDbRouter(mongo.db(DB));
  return new JobStore(tenantCollection(router, acme, COLLECTIONS.jobs));
}

let seq = 0;
function newJob(): JobDoc {
  seq++;
  return newQueuedJob(
    {
      jobId: newJobId(T0 + seq),
      tenantId: acme,
      idempotencyKey: `crash-${seq}`,
      workflow: { name: "w", version: "1" },
      input: { inline: { seq } },
    },
    T0,
  );
}

beforeAll(async () => {
  server = await ownMongo("h2-crash"); // compiles the launcher from this checkout if needed
}, 120_000);

afterAll(() => server?.dispose());

describe("h2 MongoDB-wire server: a SIGKILL loses no acknowledged write", () => {
  it("every acknowledged job creation and checkpoint is there after a restart", async () => {
    await server.start();
    const mongo = await connect();
    await ensureIndexes(mongo.db());
    const store = storeOf(mongo);

    // Jobs the checkpointers advance, created (and acknowledged) up front.
    const tracked: JobDoc[] = [];
    for (let i = 0; i < CHECKPOINTERS; i++) {
      const job = newJob();
      await store.create(job);
      tracked.push(job);
    }

    const created: string[] = [];
    /** The last version each tracked job was acknowledged at, with the counter it carried. */
    const ackedVersion = new Map<string, number>(tracked.map((j) => [j._id, 0]));
    let checkpoints = 0;
    let killed = false;
    let enough!: () => void;
    const enoughAcked = new Promise<void>((done) => (enough = done));
    const check = (): void => {
      if (created.length >= ACKED_BEFORE_KILL && checkpoints >= ACKED_BEFORE_KILL) enough();
    };

    const creator = async (): Promise<void> => {
      while (!killed) {
        const job = newJob();
        try {
          await store.create(job);
        } catch {
          return; // the server is gone: this write was not acknowledged
        }
        created.push(job._id);
        check();
      }
    };
    const checkpointer = async (job: JobDoc): Promise<void> => {
      for (let version = 0; !killed; version++) {
        let r;
        try {
          r = await store.casUpdate(job._id, version, { execution: { n: version + 1 } }, T0 + version);
        } catch {
          return;
        }
        if (!r.ok) throw new Error(`checkpoint of ${job._id} at version ${version} lost its CAS`);
        ackedVersion.set(job._id, r.version);
        checkpoints++;
        check();
      }
    };
    const load = Promise.all([
      ...Array.from({ length: CREATORS }, () => creator()),
      ...tracked.map((j) => checkpointer(j)),
    ]);

    await enoughAcked;
    const ackedCreates = [...created];
    const ackedCheckpoints = new Map(ackedVersion);
    await server.kill(); // SIGKILL; the load is still running: some writes are in flight
    killed = true;
    await load;
    await mongo.close().catch(() => undefined);

    // Writes acknowledged before the kill (the snapshots above) must all be there.
    await server.start(); // on the same data file
    const after = await connect();
    try {
      const jobs = after.db().collection<JobDoc>(COLLECTIONS.jobs);
      const have = new Set(
        (await jobs.find({ _id: { $in: ackedCreates } }, { projection: { _id: 1 } }).toArray()).map(
          (d) => d._id,
        ),
      );
      const lostCreates = ackedCreates.filter((id) => !have.has(id));
      const versions = new Map(
        (await jobs.find({ _id: { $in: [...ackedCheckpoints.keys()] } }).toArray()).map((d) => [
          d._id,
          { version: d.version, n: (d.execution as { n?: number } | null)?.n ?? 0 },
        ]),
      );
      const wentBack = [...ackedCheckpoints].filter(([id, v]) => (versions.get(id)?.version ?? -1) < v);
      expect(ackedCreates.length).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);
      expect({ lostCreates: lostCreates.length, of: ackedCreates.length }).toEqual({
        lostCreates: 0,
        of: ackedCreates.length,
      });
      expect(
        wentBack.map(([id, v]) => `${id}: acknowledged v${v}, now v${versions.get(id)?.version}`),
      ).toEqual([]);
      // Each checkpoint is whole: its counter matches its version.
      for (const { version, n } of versions.values()) expect(n).toBe(version);
    } finally {
      await after.close();
    }
  }, 120_000);
});
