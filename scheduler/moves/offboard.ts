/**
 * Offboarding a tenant (`tenants offboard <tenant> --export <dir>`): export, confirm, delete, leaving
 * only the audit trail (docs/adr/0021-tenant-moves-audit-offboarding.md).
 *
 * 1. Refused while the tenant moves between homes, and while it has jobs in flight (queued,
 *    running, waiting for review) unless `force`: then they are cancelled first (the job store's
 *    cancel, so a running worker loses its next write and stops).
 * 2. Export into `dir`: one NDJSON file per tenant-data collection (`<collection>.ndjson`, canonical
 *    Extended JSON, one document a line) and every object under the tenant's S3 prefix (through the
 *    tenant blob store: `s3/<key under tenants/<tenant>/>`).
 * 3. Confirmation (`confirm()`: `--yes`, or the operator types the tenant id).
 * 4. Delete: the tenant's documents of every tenant-data collection in its home, an emptied
 *    dedicated database, every object under its prefix, its intake queue and that queue's DLQ, its
 *    move record and its tenant document. The audit trail stays, with a `tenant.offboard` entry.
 * 5. The report (what was exported and deleted, with counts) is returned and written to
 *    `<dir>/offboard-report.json`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BSON, type Db } from "mongodb";
import type { AuditActor, AuditLog } from "../../shared/audit/audit-log.ts";
import { dlqName, intakeQueueName } from "../../shared/aws/queue-names.ts";
import type { BlobStore } from "../../shared/aws/s3.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import { createJobStore } from "../../shared/jobs/job-store.ts";
import { COLLECTIONS, TENANT_DATA_COLLECTIONS } from "../../shared/mongo/collections.ts";
import { durable } from "../../shared/mongo/write-concern.ts";
import { isMoving } from "../../shared/moves/move-record.ts";
import { tenantPrefix } from "../../shared/tenancy/keys.ts";
import { scopedCollection } from "../../shared/tenancy/scoped-collection.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { isEmptyDatabase } from "./move-steps.ts";
import { homeOfDoc, type OpenedHome } from "./tenant-move.ts";
import type { MoveHome } from "../../shared/moves/move-record.ts";

export class OffboardRefusedError extends Error {
  constructor(
    readonly code: "no_tenant" | "moving" | "in_flight" | "not_confirmed",
    message: string,
  ) {
    super(message);
    this.name = "OffboardRefusedError";
  }
}

export interface OffboardDeps {
  readonly sharedDb: Db;
  readonly openHome: (home: MoveHome) => Promise<OpenedHome>;
  readonly blobs: Pick<BlobStore, "listAll" | "getBuffer" | "delete">;
  readonly sqs: Pick<SqsPort, "getQueueUrl" | "deleteQueue">;
  readonly queuePrefix: string;
  readonly audit: Pick<AuditLog, "append">;
  readonly now: () => number;
  readonly progress: (line: string) => void;
  /** Asked once the export is written: true to delete. */
  readonly confirm: (tenant: TenantId) => Promise<boolean>;
}

export interface OffboardRequest {
  readonly tenant: TenantId;
  readonly exportDir: string;
  readonly force: boolean;
  readonly actor: AuditActor;
}

export interface OffboardReport {
  tenant: TenantId;
  home: MoveHome;
  exportDir: string;
  cancelled: number;
  exported: { documents: Record<string, number>; objects: number; objectBytes: number };
  deleted: {
    documents: Record<string, number>;
    objects: number;
    queues: string[];
    database: string | null;
    tenantDocument: boolean;
  };
  at: string;
}

const IN_FLIGHT = ["queued", "running", "needs_review"];

export async function offboardTenant(deps: OffboardDeps, req: OffboardRequest): Promise<OffboardReport> {
  const t = req.tenant;
  const say = (line: string) => deps.progress(`${t}: ${line}`);
  const tenants = deps.sharedDb.collection(COLLECTIONS.tenants);
  const doc = await tenants.findOne({ $or: [{ tenantId: t }, { _id: t as never }] });
  if (doc === null) throw new OffboardRefusedError("no_tenant", `tenant ${t} has no tenant document`);
  if (await isMoving(deps.sharedDb, t)) {
    throw new OffboardRefusedError(
      "moving",
      `tenant ${t} is moving between homes; finish or abort the move first`,
    );
  }
  const home = homeOfDoc(doc, t, deps.sharedDb.databaseName);
  const opened = await deps.openHome(home);
  try {
    const db = opened.db;
    const jobs = createJobStore(scopedCollection(db.collection(COLLECTIONS.jobs), t, db));
    const inFlight = await db
      .collection(COLLECTIONS.jobs)
      .find({ tenantId: t, status: { $in: IN_FLIGHT } }, { projection: { _id: 1 } })
      .toArray();
    let cancelled = 0;
    if (inFlight.length > 0 && !req.force) {
      throw new OffboardRefusedError(
        "in_flight",
        `tenant ${t} has ${inFlight.length} job(s) queued, running or waiting for review; wait for them or pass --force to cancel them`,
      );
    }
    for (const j of inFlight) {
      const r = await jobs.cancel(String(j["_id"]), deps.now(), {
        by: req.actor.subject,
        reason: "offboarding",
      });
      if (r.ok) cancelled += 1;
    }
    if (cancelled > 0) say(`cancelled ${cancelled} job(s) in flight`);

    // Export.
    await mkdir(req.exportDir, { recursive: true });
    const exported: OffboardReport["exported"] = { documents: {}, objects: 0, objectBytes: 0 };
    for (const name of TENANT_DATA_COLLECTIONS) {
      const lines: string[] = [];
      for await (const d of db.collection(name).find({ tenantId: t })) {
        lines.push(BSON.EJSON.stringify(d, { relaxed: false }));
      }
      await writeFile(join(req.exportDir, `${name}.ndjson`), lines.length > 0 ? `${lines.join("\n")}\n` : "");
      exported.documents[name] = lines.length;
      say(`exported ${lines.length} ${name} document(s)`);
    }
    const prefix = tenantPrefix(t);
    for await (const obj of deps.blobs.listAll(t)) {
      const body = await deps.blobs.getBuffer(t, obj.key);
      const file = join(req.exportDir, "s3", obj.key.slice(prefix.length));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, body);
      exported.objects += 1;
      exported.objectBytes += body.length;
      if (exported.objects % 100 === 0) say(`exported ${exported.objects} object(s)`);
    }
    say(
      `exported ${exported.objects} object(s) (${exported.objectBytes} bytes) to ${join(req.exportDir, "s3")}`,
    );

    if (!(await deps.confirm(t))) {
      throw new OffboardRefusedError(
        "not_confirmed",
        `not confirmed: nothing of tenant ${t} was deleted (the export is in ${req.exportDir})`,
      );
    }

    // Delete.
    const deleted: OffboardReport["deleted"] = {
      documents: {},
      objects: 0,
      queues: [],
      database: null,
      tenantDocument: false,
    };
    for (const name of TENANT_DATA_COLLECTIONS) {
      deleted.documents[name] = (
        await db.collection(name).deleteMany({ tenantId: t }, durable())
      ).deletedCount;
    }
    say(
      `deleted documents: ${Object.entries(deleted.documents)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    if (
      home.tier === "dedicated" &&
      home.database !== deps.sharedDb.databaseName &&
      (await isEmptyDatabase(db))
    ) {
      await db.dropDatabase();
      deleted.database = home.database;
      say(`dropped database ${home.database}`);
    }
    // Objects written after the export started (a job cancelled just now) are deleted too.
    for await (const obj of deps.blobs.listAll(t)) {
      await deps.blobs.delete(t, obj.key);
      deleted.objects += 1;
    }
    say(`deleted ${deleted.objects} object(s) under ${prefix}`);
    const intake = intakeQueueName(deps.queuePrefix, t);
    for (const name of [intake, dlqName(intake)]) {
      let url: string | undefined;
      try {
        url = await deps.sqs.getQueueUrl(name);
      } catch {
        url = undefined; // no such queue
      }
      if (url !== undefined) {
        await deps.sqs.deleteQueue(url);
        deleted.queues.push(name);
      }
    }
    say(`deleted queues: ${deleted.queues.join(", ") || "none"}`);
    await deps.sharedDb.collection(COLLECTIONS.tenantMoves).deleteOne({ _id: t as never }, durable());
    deleted.tenantDocument = (await tenants.deleteOne({ _id: doc["_id"] }, durable())).deletedCount === 1;
    say("deleted the tenant document");

    const report: OffboardReport = {
      tenant: t,
      home,
      exportDir: req.exportDir,
      cancelled,
      exported,
      deleted,
      at: new Date(deps.now()).toISOString(),
    };
    await deps.audit.append({
      tenantId: t,
      actor: req.actor,
      action: "tenant.offboard",
      before: {
        tier: home.tier,
        database: home.database,
        documents: exported.documents,
        objects: exported.objects,
      },
      after: { deleted: { ...deleted }, cancelled, exportDir: req.exportDir },
      at: new Date(deps.now()),
    });
    await writeFile(join(req.exportDir, "offboard-report.json"), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await opened.close();
  }
}
