/**
 * Moving a tenant between homes while its work goes on: `tenants promote <t> --to dedicated` and
 * `tenants demote <t> --to shared` (docs/adr/0021-tenant-moves-audit-offboarding.md).
 *
 * The move is a sequence of phases recorded in `tenant_moves` (shared/moves/move-record.ts); each
 * `stepMove` call does one phase's work (idempotent) and then records the next phase with a
 * compare-and-set on the phase it read, so a move killed anywhere resumes with the same command
 * and two movers never both advance one phase:
 *
 *   planned  → fence   every document of the tenant in the old home (move-docs.ts `fenceOp`):
 *                      from now on nothing reaches them (reads find nothing, CAS writes match
 *                      nothing); workers that miss a job while the tenant moves retry its message
 *   fenced   → copy    the fenced documents, unfenced, into the new home (which nobody reads yet)
 *   copied   → verify  count + content hash per collection, old (fenced) against new: equal, or
 *                      back to `fenced` to copy again (three failures stop the move: `--abort`)
 *   verified → switch  the tenant document's `tier`/`storage` (CAS on its version: the new version
 *                      is the move's epoch); routers re-read it within their TTL
 *   switched → drain   after `graceMs` (≥ the routers' TTL), carry over what processes still routing
 *                      to the old home wrote there (new documents only: fenced ones are unreachable)
 *   drained  → clean   delete the fenced documents from the old home (drop an emptied dedicated
 *                      database)
 *   cleaned  → done    audit entry `tenant.promote` / `tenant.demote` with the report
 *
 * Before the switch a move can be undone (`abortMove`: copies deleted, old documents unfenced).
 */
import { randomUUID } from "node:crypto";
import type { Db, Document } from "mongodb";
import type { AuditActor, AuditLog } from "../../shared/audit/audit-log.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { durable } from "../../shared/mongo/write-concern.ts";
import {
  MoveRecordSchema,
  type MoveHome,
  type MovePhase,
  type MoveRecord,
} from "../../shared/moves/move-record.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { digestMismatches } from "./move-docs.ts";
import {
  catchUp,
  copyFenced,
  deleteFenced,
  digests,
  ensureTenantIndexes,
  fenceAll,
  isEmptyDatabase,
  remaining,
  undoBeforeSwitch,
  type Counts,
} from "./move-steps.ts";

export class MoveError extends Error {
  constructor(
    readonly code:
      "no_tenant" | "wrong_tier" | "same_home" | "other_move" | "verify_failed" | "not_abortable" | "no_move",
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
}

export interface MoveRequest {
  readonly tenant: TenantId;
  readonly direction: "promote" | "demote";
  /** promote: the dedicated database (default `storage.database`, else `sluice_t_<tenant>`). */
  readonly database?: string;
  /** promote: the tenant's own MongoDB (default `storage.mongoUrl`, else the fleet's). */
  readonly mongoUrl?: string;
  readonly actor: AuditActor;
}

const moves = (db: Db) => db.collection<MoveRecord>(COLLECTIONS.tenantMoves);
const tenantsOf = (db: Db) => db.collection<Document>(COLLECTIONS.tenants);

async function tenantDoc(db: Db, tenant: TenantId): Promise<Document> {
  const doc = await tenantsOf(db).findOne({ $or: [{ tenantId: tenant }, { _id: tenant as never }] });
  if (doc === null) throw new MoveError("no_tenant", `tenant ${tenant} has no tenant document`);
  return doc;
}

function storageOf(doc: Document): Record<string, unknown> {
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

const sameHome = (a: MoveHome, b: MoveHome) => a.database === b.database && a.mongoUrl === b.mongoUrl;

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
      (req.mongoUrl === undefined || req.mongoUrl === existing.to.mongoUrl);
    if (!sameTarget) {
      throw new MoveError(
        "other_move",
        `tenant ${req.tenant} has a ${existing.direction} to ${existing.to.database} in progress (phase ${existing.phase}); finish it or abort it first`,
      );
    }
    return existing;
  }
  const wanted = req.direction === "promote" ? "shared" : "dedicated";
  if (from.tier !== wanted) {
    throw new MoveError(
      "wrong_tier",
      `tenant ${req.tenant} is ${from.tier}; ${req.direction} moves a ${wanted} tenant`,
    );
  }
  const s = storageOf(doc);
  const to: MoveHome =
    req.direction === "promote"
      ? {
          tier: "dedicated",
          database:
            req.database ?? (typeof s["database"] === "string" ? s["database"] : `sluice_t_${req.tenant}`),
          ...((req.mongoUrl ?? s["mongoUrl"]) !== undefined
            ? { mongoUrl: String(req.mongoUrl ?? s["mongoUrl"]) }
            : {}),
        }
      : { tier: "shared", database: deps.sharedDb.databaseName };
  if (sameHome(from, to))
    throw new MoveError("same_home", `tenant ${req.tenant} already lives in ${to.database}`);
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
  };
  await moves(deps.sharedDb).replaceOne({ _id: req.tenant }, record, durable({ upsert: true }));
  deps.progress(
    `${req.tenant}: ${req.direction} from ${describe(from)} to ${describe(to)} (move ${record.moveId})`,
  );
  return record;
}

export function describe(home: MoveHome): string {
  return `${home.tier} database ${home.database}${home.mongoUrl !== undefined ? " (own MongoDB)" : ""}`;
}

/** Records `next` (and `fields`) if the move is still at `current`; returns the record as written, or null. */
async function advance(
  deps: MoveDeps,
  rec: MoveRecord,
  next: MovePhase,
  fields: Partial<MoveRecord> = {},
): Promise<MoveRecord | null> {
  const updated: MoveRecord = { ...rec, ...fields, phase: next, updatedAt: new Date(deps.now()) };
  const { _id: _ignored, ...set } = updated;
  const r = await moves(deps.sharedDb).updateOne(
    { _id: rec._id, moveId: rec.moveId, phase: rec.phase },
    { $set: set },
    durable(),
  );
  return r.matchedCount === 1 ? updated : null;
}

const sum = (c: Counts | undefined) => Object.values(c ?? {}).reduce((a, b) => a + b, 0);
const add = (a: Counts | undefined, b: Counts): Counts =>
  Object.fromEntries(
    [...new Set([...Object.keys(a ?? {}), ...Object.keys(b)])].map((k) => [k, (a?.[k] ?? 0) + (b[k] ?? 0)]),
  );
const list = (c: Counts) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

export const MAX_VERIFY_FAILURES = 3;

/**
 * Does the work of the move's current phase and records the next one. Returns the record after the
 * step (unchanged if another mover advanced it first), or null when there is no move.
 */
export async function stepMove(deps: MoveDeps, tenant: TenantId): Promise<MoveRecord | null> {
  const rec = await readMove(deps.sharedDb, tenant);
  if (rec === null) return null;
  if (rec.phase === "done" || rec.phase === "aborted") return rec;
  const from = await deps.openHome(rec.from);
  const to = await deps.openHome(rec.to);
  try {
    const next = await doPhase(deps, rec, from.db, to.db);
    return next ?? (await readMove(deps.sharedDb, tenant));
  } finally {
    await Promise.allSettled([from.close(), to.close()]);
  }
}

async function doPhase(deps: MoveDeps, rec: MoveRecord, from: Db, to: Db): Promise<MoveRecord | null> {
  const t = rec._id;
  const say = (line: string) => deps.progress(`${t}: ${line}`);
  switch (rec.phase) {
    case "planned": {
      await ensureTenantIndexes(to);
      const fenced = await fenceAll(from, t, rec.moveId);
      say(`fenced in ${rec.from.database}: ${list(fenced)}`);
      return advance(deps, rec, "fenced");
    }
    case "fenced": {
      const copied = await copyFenced(from, to, t);
      say(`copied to ${rec.to.database}: ${list(copied)}`);
      return advance(deps, rec, "copied");
    }
    case "copied": {
      const before = await digests(from, t, true);
      const after = await digests(to, t, false);
      const bad = digestMismatches(before, after);
      if (bad.length > 0) {
        const failures = rec.verifyFailures + 1;
        say(`verification failed for ${bad.join(", ")} (attempt ${failures} of ${MAX_VERIFY_FAILURES})`);
        if (failures >= MAX_VERIFY_FAILURES) {
          await advance(deps, rec, "copied", {
            verifyFailures: failures,
            error: `verify failed: ${bad.join(", ")}`,
          });
          throw new MoveError(
            "verify_failed",
            `tenant ${t}: the copy does not match the original (${bad.join(", ")}); nothing was switched — run again or abort`,
          );
        }
        return advance(deps, rec, "fenced", { verifyFailures: failures });
      }
      say(
        `verified: ${Object.entries(after)
          .map(([k, d]) => `${k} ${d.count} (${d.sha256.slice(0, 12)})`)
          .join(", ")}`,
      );
      return advance(deps, rec, "verified", { before, after });
    }
    case "verified": {
      const epoch = await switchTenantDoc(deps.sharedDb, rec);
      deps.onSwitch?.(t);
      say(`switched: the tenant document names ${rec.to.tier} database ${rec.to.database} (epoch ${epoch})`);
      return advance(deps, rec, "switched", { epoch, switchedAt: new Date(deps.now()) });
    }
    case "switched": {
      const waitMs = (rec.switchedAt?.getTime() ?? 0) + deps.graceMs - deps.now();
      if (waitMs > 0) {
        say(`waiting ${Math.ceil(waitMs / 1000)} s for every process to route to the new home`);
        await deps.sleep(waitMs);
      }
      const late = await catchUp(from, to, t, rec.moveId);
      say(
        `late writes to the old home carried over: ${sum(late.copied)}, duplicates dropped: ${sum(late.dropped)}`,
      );
      return advance(deps, rec, "drained", {
        lateCopied: add(rec.lateCopied, late.copied),
        lateDropped: add(rec.lateDropped, late.dropped),
      });
    }
    case "drained": {
      let lateCopied = rec.lateCopied ?? {};
      let lateDropped = rec.lateDropped ?? {};
      let deleted: Counts = rec.deleted ?? {};
      for (let round = 0; round < 3; round += 1) {
        const late = await catchUp(from, to, t, rec.moveId);
        lateCopied = add(lateCopied, late.copied);
        lateDropped = add(lateDropped, late.dropped);
        deleted = add(deleted, await deleteFenced(from, t));
        if (sum(await remaining(from, t)) === 0) break;
      }
      say(`deleted from ${rec.from.database}: ${list(deleted)}`);
      let droppedDatabase: string | undefined;
      if (
        rec.from.tier === "dedicated" &&
        rec.from.database !== deps.sharedDb.databaseName &&
        (await isEmptyDatabase(from))
      ) {
        await from.dropDatabase();
        droppedDatabase = rec.from.database;
        say(`dropped the emptied database ${droppedDatabase}`);
      }
      return advance(deps, rec, "cleaned", {
        lateCopied,
        lateDropped,
        deleted,
        ...(droppedDatabase !== undefined ? { droppedDatabase } : {}),
      });
    }
    case "cleaned": {
      await deps.audit.append({
        tenantId: t,
        actor: rec.actor,
        action: rec.direction === "promote" ? "tenant.promote" : "tenant.demote",
        before: { tier: rec.from.tier, database: rec.from.database, counts: countsOf(rec.before) },
        after: {
          tier: rec.to.tier,
          database: rec.to.database,
          epoch: rec.epoch ?? null,
          counts: countsOf(rec.after),
          lateCopied: rec.lateCopied ?? {},
        },
        at: new Date(deps.now()),
      });
      say("done");
      return advance(deps, rec, "done");
    }
    default:
      return rec;
  }
}

const countsOf = (d: MoveRecord["before"]) =>
  Object.fromEntries(Object.entries(d ?? {}).map(([k, v]) => [k, v.count]));

/** Writes the target home into the tenant document (CAS on its version); returns its version (the epoch). */
async function switchTenantDoc(sharedDb: Db, rec: MoveRecord): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const doc = await tenantDoc(sharedDb, rec._id);
    const version = typeof doc["version"] === "number" ? doc["version"] : 0;
    if (sameHome(homeOfDoc(doc, rec._id, sharedDb.databaseName), rec.to) && doc["tier"] === rec.to.tier) {
      return version; // switched already (a resumed move)
    }
    const { database: _d, mongoUrl: _u, ...kept } = storageOf(doc);
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

/** Runs the move from wherever it is to its end. */
export async function runMove(deps: MoveDeps, tenant: TenantId): Promise<MoveRecord> {
  for (;;) {
    const rec = await stepMove(deps, tenant);
    if (rec === null) throw new MoveError("no_move", `tenant ${tenant} has no move`);
    if (rec.phase === "done" || rec.phase === "aborted") return rec;
  }
}

/** Undoes a move that has not switched yet: copies deleted, old documents unfenced. */
export async function abortMove(deps: MoveDeps, tenant: TenantId): Promise<MoveRecord> {
  const rec = await readMove(deps.sharedDb, tenant);
  if (rec === null || rec.phase === "done" || rec.phase === "aborted") {
    throw new MoveError("no_move", `tenant ${tenant} has no move in progress`);
  }
  if (!["planned", "fenced", "copied", "verified"].includes(rec.phase)) {
    throw new MoveError(
      "not_abortable",
      `tenant ${tenant}'s move has switched (phase ${rec.phase}); run it to its end (and move back if needed)`,
    );
  }
  const from = await deps.openHome(rec.from);
  const to = await deps.openHome(rec.to);
  try {
    await undoBeforeSwitch(from.db, to.db, tenant);
  } finally {
    await Promise.allSettled([from.close(), to.close()]);
  }
  deps.progress(`${tenant}: move aborted; the tenant stays in ${rec.from.database}`);
  return (await advance(deps, rec, "aborted")) ?? rec;
}
