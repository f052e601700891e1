/**
 * Planning a tenant move (tenant-move.ts runs it): the dependencies, the request, where the tenant
 * lives now (its home and its placement, read from its tenant document), the move record written
 * in `tenant_moves`, and the switch of the tenant document (compare-and-set on its version).
 */
import { randomUUID } from "node:crypto";
import type { Db, Document } from "mongodb";
import type { AuditActor, AuditLog } from "../../shared/audit/audit-log.ts";
import type { ObjectPlacement } from "../../shared/aws/encryption.ts";
import type { ObjectPort } from "../../shared/aws/s3-object-mover.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { durable } from "../../shared/mongo/write-concern.ts";
import {
  MoveRecordSchema,
  type MoveHome,
  type MovePlacement,
  type MoveRecord,
} from "../../shared/moves/move-record.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export class MoveError extends Error {
  constructor(
    readonly code:
      | "no_tenant"
      | "wrong_tier"
      | "same_home"
      | "other_move"
      | "verify_failed"
      | "not_abortable"
      | "no_move"
      | "no_bucket"
      | "needs_s3",
    message: string,
  ) {
    super(message);
    this.name = "MoveError";
  }
}

export interface OpenedHome {
  readonly db: Db;
  close(): Promise<void>;
}

export interface MoveDeps {
  /** The fleet's shared database: `tenants`, `tenant_moves`, `audit` (and the shared tier's data). */
  readonly sharedDb: Db;
  /** A handle on a home's database (the fleet's client, or one for the home's own `mongoUrl`). */
  readonly openHome: (home: MoveHome) => Promise<OpenedHome>;
  readonly audit: Pick<AuditLog, "append">;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** How long after the switch every router has re-read the tenant document (≥ their TTL). */
  readonly graceMs: number;
  readonly progress: (line: string) => void;
  /** Called right after the switch (invalidate this process's router). */
  readonly onSwitch?: (tenant: TenantId) => void;
  readonly newMoveId?: () => string;
  /** S3, for moves that change the tenant's placement (bucket or KMS key). */
  readonly objects?: MoveObjectsDeps;
}

export interface MoveObjectsDeps {
  readonly port: ObjectPort;
  /** The fleet bucket (`SLUICE_S3_BUCKET`): a placement without `bucket`. */
  readonly fleetBucket: string;
  /** Object copies, heads and deletes in flight at once; default 16. */
  readonly concurrency?: number;
  /**
   * Lifetime of the presigned URLs the API hands out (`SLUICE_API_URL_TTL_SECONDS`, in ms): an upload
   * URL signed for the old bucket just before the switch still works this long, so the CLI's default
   * grace covers it (`objectMoveGraceMs`). Absent: 0 (no presigned URLs).
   */
  readonly signedUrlTtlMs?: number;
}

export interface MoveRequest {
  readonly tenant: TenantId;
  readonly direction: "promote" | "demote";
  /** promote: the dedicated database (default `storage.database`, else `sluice_t_<tenant>`). */
  readonly database?: string;
  /** promote: the tenant's own MongoDB (default `storage.mongoUrl`, else the fleet's). */
  readonly mongoUrl?: string;
  /** promote: the tenant's own bucket (default its current `storage.bucket`, else the fleet's). */
  readonly bucket?: string;
  /** promote: the tenant's own KMS key (default its current `storage.kmsKeyId`). */
  readonly kmsKeyId?: string;
  readonly actor: AuditActor;
}

export const moves = (db: Db) => db.collection<MoveRecord>(COLLECTIONS.tenantMoves);
const tenantsOf = (db: Db) => db.collection<Document>(COLLECTIONS.tenants);

export async function tenantDoc(db: Db, tenant: TenantId): Promise<Document> {
  const doc = await tenantsOf(db).findOne({ $or: [{ tenantId: tenant }, { _id: tenant as never }] });
  if (doc === null) throw new MoveError("no_tenant", `tenant ${tenant} has no tenant document`);
  return doc;
}

export function storageOf(doc: Document): Record<string, unknown> {
  const s = doc["storage"];
  return s !== null && typeof s === "object" ? (s as Record<string, unknown>) : {};
}

/** The home a tenant document names (pure). */
export function homeOfDoc(doc: Document, tenant: TenantId, sharedDbName: string): MoveHome {
  if (doc["tier"] !== "dedicated") return { tier: "shared", database: sharedDbName };
  const s = storageOf(doc);
  return {
    tier: "dedicated",
    database: typeof s["database"] === "string" ? s["database"] : `sluice_t_${tenant}`,
    ...(typeof s["mongoUrl"] === "string" ? { mongoUrl: s["mongoUrl"] } : {}),
  };
}

export const sameHome = (a: MoveHome, b: MoveHome) => a.database === b.database && a.mongoUrl === b.mongoUrl;

/** The placement fields of a tenant document's `storage` (pure). */
export function placementOfDoc(doc: Document): MovePlacement {
  const s = storageOf(doc);
  return {
    ...(typeof s["bucket"] === "string" ? { bucket: s["bucket"] } : {}),
    ...(typeof s["kmsKeyId"] === "string" ? { kmsKeyId: s["kmsKeyId"] } : {}),
  };
}

export const samePlacement = (a: MovePlacement, b: MovePlacement) =>
  a.bucket === b.bucket && a.kmsKeyId === b.kmsKeyId;

/** Whether the move's documents change home (false: only its objects move). */
export const movesDocuments = (rec: Pick<MoveRecord, "from" | "to">): boolean => !sameHome(rec.from, rec.to);

/** A move placement resolved to a bucket (pure). */
export const resolvePlacement = (p: MovePlacement, fleetBucket: string): ObjectPlacement => ({
  bucket: p.bucket ?? fleetBucket,
  ...(p.kmsKeyId !== undefined ? { kmsKeyId: p.kmsKeyId } : {}),
});

/** Reads the move record of `tenant`, or null. */
export async function readMove(sharedDb: Db, tenant: TenantId): Promise<MoveRecord | null> {
  const raw = await moves(sharedDb).findOne({ _id: tenant });
  return raw === null ? null : MoveRecordSchema.parse(raw);
}

/**
 * Starts a move, or returns the unfinished one of the same direction and target (resume). Refuses a
 * tenant already in the target tier and a different move in progress.
 */
export async function planMove(deps: MoveDeps, req: MoveRequest): Promise<MoveRecord> {
  const existing = await readMove(deps.sharedDb, req.tenant);
  const doc = await tenantDoc(deps.sharedDb, req.tenant);
  const from = homeOfDoc(doc, req.tenant, deps.sharedDb.databaseName);
  if (existing && existing.phase !== "done" && existing.phase !== "aborted") {
    const sameTarget =
      existing.direction === req.direction &&
      (req.database === undefined || req.database === existing.to.database) &&
      (req.mongoUrl === undefined || req.mongoUrl === existing.to.mongoUrl) &&
      (req.bucket === undefined || req.bucket === existing.objects?.to.bucket) &&
      (req.kmsKeyId === undefined || req.kmsKeyId === existing.objects?.to.kmsKeyId);
    if (!sameTarget) {
      throw new MoveError(
        "other_move",
        `tenant ${req.tenant} has a ${existing.direction} to ${existing.to.database} in progress (phase ${existing.phase}); finish it or abort it first`,
      );
    }
    return existing;
  }
  const s = storageOf(doc);
  const placementFrom = placementOfDoc(doc);
  const placementTo: MovePlacement =
    req.direction === "promote"
      ? {
          ...((req.bucket ?? placementFrom.bucket) !== undefined
            ? { bucket: req.bucket ?? placementFrom.bucket }
            : {}),
          ...((req.kmsKeyId ?? placementFrom.kmsKeyId) !== undefined
            ? { kmsKeyId: req.kmsKeyId ?? placementFrom.kmsKeyId }
            : {}),
        }
      : {};
  const objectsMove = !samePlacement(placementFrom, placementTo);
  const wanted = req.direction === "promote" ? "shared" : "dedicated";
  // A tenant already in the target tier can still have its objects moved (placement only).
  const placementOnly =
    from.tier !== wanted && objectsMove && req.database === undefined && req.mongoUrl === undefined;
  if (from.tier !== wanted && !placementOnly) {
    throw new MoveError(
      "wrong_tier",
      `tenant ${req.tenant} is ${from.tier}; ${req.direction} moves a ${wanted} tenant${
        req.direction === "promote"
          ? " (or, with --bucket / --kms-key alone, a dedicated tenant's objects)"
          : ""
      }`,
    );
  }
  const to: MoveHome = placementOnly
    ? from
    : req.direction === "promote"
      ? {
          tier: "dedicated",
          database:
            req.database ?? (typeof s["database"] === "string" ? s["database"] : `sluice_t_${req.tenant}`),
          ...((req.mongoUrl ?? s["mongoUrl"]) !== undefined
            ? { mongoUrl: String(req.mongoUrl ?? s["mongoUrl"]) }
            : {}),
        }
      : { tier: "shared", database: deps.sharedDb.databaseName };
  if (sameHome(from, to) && !objectsMove)
    throw new MoveError("same_home", `tenant ${req.tenant} already lives in ${to.database}`);
  if (objectsMove) {
    if (deps.objects === undefined)
      throw new MoveError(
        "needs_s3",
        `tenant ${req.tenant}: moving its objects needs S3 (the fleet's configuration)`,
      );
    const bucket = resolvePlacement(placementTo, deps.objects.fleetBucket).bucket;
    if (!(await deps.objects.port.bucketExists(bucket)))
      throw new MoveError(
        "no_bucket",
        `bucket ${bucket} does not exist (create it, with its encryption, first)`,
      );
  }
  const at = new Date(deps.now());
  const record: MoveRecord = {
    _id: req.tenant,
    moveId: deps.newMoveId?.() ?? randomUUID(),
    direction: req.direction,
    from,
    to,
    phase: "planned",
    actor: req.actor,
    startedAt: at,
    updatedAt: at,
    verifyFailures: 0,
    ...(objectsMove ? { objects: { from: placementFrom, to: placementTo } } : {}),
  };
  await moves(deps.sharedDb).replaceOne({ _id: req.tenant }, record, durable({ upsert: true }));
  deps.progress(
    `${req.tenant}: ${req.direction} from ${describe(from)} to ${describe(to)} (move ${record.moveId})`,
  );
  if (record.objects !== undefined)
    deps.progress(
      `${req.tenant}: objects from ${describePlacement(record.objects.from)} to ${describePlacement(record.objects.to)}`,
    );
  return record;
}

export function describePlacement(p: MovePlacement): string {
  return `${p.bucket !== undefined ? `bucket ${p.bucket}` : "the fleet bucket"}${
    p.kmsKeyId !== undefined ? ` (KMS key ${p.kmsKeyId})` : " (bucket default encryption)"
  }`;
}

export function describe(home: MoveHome): string {
  return `${home.tier} database ${home.database}${home.mongoUrl !== undefined ? " (own MongoDB)" : ""}`;
}

/** Writes the target home into the tenant document (CAS on its version); returns its version (the epoch). */
export async function switchTenantDoc(sharedDb: Db, rec: MoveRecord): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const doc = await tenantDoc(sharedDb, rec._id);
    const version = typeof doc["version"] === "number" ? doc["version"] : 0;
    const placed = rec.objects === undefined || samePlacement(placementOfDoc(doc), rec.objects.to);
    if (
      sameHome(homeOfDoc(doc, rec._id, sharedDb.databaseName), rec.to) &&
      doc["tier"] === rec.to.tier &&
      placed
    ) {
      return version; // switched already (a resumed move)
    }
    const { database: _d, mongoUrl: _u, ...others } = storageOf(doc);
    const kept: Record<string, unknown> = { ...others };
    if (rec.objects !== undefined) {
      delete kept["bucket"];
      delete kept["kmsKeyId"];
      Object.assign(kept, rec.objects.to);
    }
    const storage =
      rec.to.tier === "dedicated"
        ? {
            ...kept,
            database: rec.to.database,
            ...(rec.to.mongoUrl !== undefined ? { mongoUrl: rec.to.mongoUrl } : {}),
          }
        : kept;
    const set: Document = { tier: rec.to.tier, version: version + 1 };
    const unset: Document = {};
    if (Object.keys(storage).length > 0) set["storage"] = storage;
    else unset["storage"] = "";
    const r = await tenantsOf(sharedDb).updateOne(
      { _id: doc["_id"], version: doc["version"] },
      {
        $set: set,
        ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
        $currentDate: { updatedAt: true },
      },
      durable(),
    );
    if (r.matchedCount === 1) return version + 1;
  }
  throw new Error(`tenant ${rec._id}: the tenant document kept changing; run the move again`);
}
