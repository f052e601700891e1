/**
 * A tenant promoted to its own database, bucket and KMS key while its jobs run on the real stack (a
 * fair scheduler, two workers, a sweeper; every payload above 8 bytes goes to S3, so each job's
 * output, execution state and step result are objects; inputs sent over SQS stay inline, inputs in
 * S3 are in tenant-move-objects.test.ts). Afterwards every job is complete once in its new
 * home, its output, execution state and step results read back through a fresh blob store, every object of the tenant is in
 * the new bucket under the new key, none is left in the fleet bucket, and the other tenant's
 * objects never moved. The move waits past the processes' placement cache (30 s) before draining.
 */
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { Db } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planMove, runMove, type MoveDeps } from "../../scheduler/moves/tenant-move.ts";
import { createAuditLog } from "../../shared/audit/audit-log.ts";
import { awsClientConfig, createAwsClients, type AwsClients } from "../../shared/aws/clients.ts";
import { createS3Store } from "../../shared/aws/s3.ts";
import { createS3ObjectPort } from "../../shared/aws/s3-object-mover.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { PayloadSchema } from "../../shared/payloads/payload-ref.ts";
import { createPayloadStore } from "../../shared/payloads/payload-store.ts";
import { createPlacementSource, PLACEMENT_TTL_MS } from "../../shared/tenancy/storage-placement.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { emptyAndDeleteBucket } from "./helpers/aws.ts";
import { waitUntil, type FairFleet } from "./helpers/fair-fleet.ts";
import { startMoveLoadFleet } from "./helpers/move-load-fleet.ts";
import { uniqueName } from "./helpers/env.ts";

const acme = tenantId("acme");
const ops = { kind: "os" as const, subject: "ops" };
process.env["SLUICE_LEASE_SECONDS"] = "3";
process.env["SLUICE_TENANT_ROUTE_TTL_MS"] = "1000";
/** Every payload in S3: inputs ({"ms":300}), outputs, execution states. */
process.env["SLUICE_CLAIM_CHECK_THRESHOLD_BYTES"] = "8";

let ff: FairFleet;
let aws: AwsClients;
let kms: KMSClient;
let shared: Db;
let dedicated: Db;
let fleetBucket: string;
const ownBucket = uniqueName("objload");

beforeAll(async () => {
  ({ ff, shared, dedicated } = await startMoveLoadFleet("objload"));
  aws = createAwsClients(ff.fleet.config.aws);
  kms = new KMSClient(awsClientConfig(ff.fleet.config.aws));
  fleetBucket = ff.fleet.config.s3.bucket;
  await aws.s3.send(new CreateBucketCommand({ Bucket: ownBucket }));
}, 60_000);
afterAll(async () => {
  await ff?.cleanup();
  await dedicated?.dropDatabase().catch(() => undefined);
  await emptyAndDeleteBucket(aws.s3, ownBucket).catch(() => undefined);
  kms?.destroy();
  aws?.destroy();
});

async function keysIn(s3: S3Client, bucket: string, tenant: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `tenants/${tenant}/`, ContinuationToken: token }),
    );
    out.push(...(r.Contents ?? []).map((o) => o.Key!));
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

const allComplete = async (db: Db, tenant: string, keys: readonly string[]) => {
  const rows = await db.collection(COLLECTIONS.jobs).find({ tenantId: tenant }).toArray();
  return keys.every(
    (k) => rows.filter((r) => r["idempotencyKey"] === k && r["status"] === "complete").length === 1,
  );
};

describe("moving a tenant's objects while its jobs run", () => {
  it("promote --bucket --kms-key under load: every job's input, output, execution state and step results readable, every object under the new key, none left behind", async () => {
    const key = (await kms.send(new CreateKeyCommand({ Description: "acme" }))).KeyMetadata!.Arn!;
    const acmeKeys = await ff.sendJobs("acme", 24, 300);
    const globexKeys = await ff.sendJobs("globex", 10, 300);
    await waitUntil(
      async () => (await ff.countJobs("acme", { status: "running" })) > 0,
      30_000,
      "acme running",
    );
    // Running is not yet written: the move must find objects of acme to carry (its first checkpoint's).
    await waitUntil(
      async () => (await keysIn(aws.s3, fleetBucket, "acme")).length > 0,
      30_000,
      "acme's first objects",
    );
    const globexBefore = (await keysIn(aws.s3, fleetBucket, "globex")).length;

    const progress: string[] = [];
    const deps: MoveDeps = {
      sharedDb: shared,
      openHome: async (home) => ({ db: shared.client.db(home.database), close: async () => undefined }),
      audit: createAuditLog(shared),
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      graceMs: PLACEMENT_TTL_MS + 1_000,
      progress: (l) => progress.push(l),
      objects: { port: createS3ObjectPort(aws.s3), fleetBucket },
    };
    await planMove(deps, {
      tenant: acme,
      direction: "promote",
      database: dedicated.databaseName,
      bucket: ownBucket,
      kmsKeyId: key,
      actor: ops,
    });
    const moving = runMove(deps, acme);
    acmeKeys.push(...(await ff.sendJobs("acme", 12, 200)));
    const rec = await moving;
    expect(rec.phase, progress.join("\n")).toBe("done");
    expect(rec.objects?.verified?.count).toBeGreaterThan(0);

    await waitUntil(() => allComplete(dedicated, "acme", acmeKeys), 120_000, "acme's jobs complete");
    await waitUntil(() => allComplete(shared, "globex", globexKeys), 60_000, "globex's jobs complete");

    // A fresh process: the placement its tenant document names now.
    const placements = createPlacementSource(shared.collection(COLLECTIONS.tenants), { fleetBucket });
    const blobs = createS3Store(aws.s3, fleetBucket, { placement: (t) => placements.placementOf(t) });
    const payloads = createPayloadStore(blobs, 8, () => "unused");
    const jobs = await dedicated.collection(COLLECTIONS.jobs).find({ tenantId: acme }).toArray();
    expect(jobs).toHaveLength(acmeKeys.length);
    for (const j of jobs) {
      const input = PayloadSchema.parse(j["input"]);
      const output = PayloadSchema.parse(j["output"]);
      // Inputs sent over SQS stay inline; the output, the execution state and the step result are objects.
      expect("s3" in output, JSON.stringify(j)).toBe(true);
      expect(await payloads.load(acme, input)).toMatchObject({ ms: expect.any(Number) });
      expect(await payloads.load(acme, output)).toMatchObject({ slept: expect.any(Number) });
      const refs = [
        (j["executionRef"] as { key: string } | null)?.key,
        ...((j["resultRefs"] as string[] | undefined) ?? []),
      ].filter((k): k is string => k !== undefined);
      expect(refs.length).toBeGreaterThan(0);
      for (const k of refs) expect((await blobs.getString(acme, k as never)).length).toBeGreaterThan(0);
    }
    const moved = await keysIn(aws.s3, ownBucket, "acme");
    expect(moved.length).toBeGreaterThanOrEqual(jobs.length * 2);
    for (const k of moved) {
      const h = await aws.s3.send(new HeadObjectCommand({ Bucket: ownBucket, Key: k }));
      expect([k, h.SSEKMSKeyId]).toEqual([k, key]);
    }
    expect(await keysIn(aws.s3, fleetBucket, "acme")).toEqual([]);
    expect((await keysIn(aws.s3, fleetBucket, "globex")).length).toBeGreaterThanOrEqual(globexBefore);
    expect(await keysIn(aws.s3, ownBucket, "globex")).toEqual([]);
  }, 300_000);
});
