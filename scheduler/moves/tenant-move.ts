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
 *
 * A move that changes the tenant's placement (`storage.bucket` / `storage.kmsKeyId`: `--bucket`,
 * `--kms-key`, or a demotion back to the fleet bucket) moves its objects along (move-objects.ts):
 * copied in the `fenced` step, checked in `copied`, the placement switched with the documents,
 * late objects carried over in `switched`, the old ones deleted in `drained`. A move of the
 * placement alone (a dedicated tenant getting its own bucket) runs the same phases without
 * documents.
 */
import type { Db } from "mongodb";
import { durable } from "../../shared/mongo/write-concern.ts";
import type { MoveObjects, MovePhase, MoveRecord } from "../../shared/moves/move-record.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { digestMismatches } from "./move-docs.ts";
import {
  cleanObjects,
  copyObjects,
  undoObjects,
  verifyObjects,
  type ObjectMoveContext,
} from "./move-objects.ts";
import {
  describePlacement,
  MoveError,
  moves,
  movesDocuments,
  readMove,
  resolvePlacement,
  switchTenantDoc,
  type MoveDeps,
} from "./move-plan.ts";
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

export {
  describe,
  describePlacement,
  homeOfDoc,
  MoveError,
  movesDocuments,
  placementOfDoc,
  planMove,
  readMove,
  resolvePlacement,
  type MoveDeps,
  type MoveObjectsDeps,
  type MoveRequest,
  type OpenedHome,
} from "./move-plan.ts";

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

/** The objects context of a move that has one (refused without S3). */
function objectContext(deps: MoveDeps, rec: MoveRecord): ObjectMoveContext | undefined {
  if (rec.objects === undefined) return undefined;
  if (deps.objects === undefined)
    throw new MoveError("needs_s3", `tenant ${rec._id}: this move moves objects and needs S3`);
  return {
    port: deps.objects.port,
    tenant: rec._id,
    from: resolvePlacement(rec.objects.from, deps.objects.fleetBucket),
    to: resolvePlacement(rec.objects.to, deps.objects.fleetBucket),
    concurrency: deps.objects.concurrency ?? 16,
    progress: (line) => deps.progress(`${rec._id}: ${line}`),
  };
}

const withObjects = (rec: MoveRecord, o: Partial<MoveObjects>): Partial<MoveRecord> =>
  rec.objects === undefined ? {} : { objects: { ...rec.objects, ...o } };

async function doPhase(deps: MoveDeps, rec: MoveRecord, from: Db, to: Db): Promise<MoveRecord | null> {
  const t = rec._id;
  const say = (line: string) => deps.progress(`${t}: ${line}`);
  const docs = movesDocuments(rec);
  const objects = objectContext(deps, rec);
  switch (rec.phase) {
    case "planned": {
      if (docs) {
        await ensureTenantIndexes(to);
        const fenced = await fenceAll(from, t, rec.moveId);
        say(`fenced in ${rec.from.database}: ${list(fenced)}`);
      }
      return advance(deps, rec, "fenced");
    }
    case "fenced": {
      if (docs) {
        const copied = await copyFenced(from, to, t);
        say(`copied to ${rec.to.database}: ${list(copied)}`);
      }
      if (objects !== undefined) {
        const n = await copyObjects(objects);
        say(`objects copied to bucket ${objects.to.bucket}: ${n}`);
        return advance(deps, rec, "copied", withObjects(rec, { copied: (rec.objects?.copied ?? 0) + n }));
      }
      return advance(deps, rec, "copied");
    }
    case "copied": {
      const before = docs ? await digests(from, t, true) : {};
      const after = docs ? await digests(to, t, false) : {};
      const bad = digestMismatches(before, after);
      const checked = objects === undefined ? undefined : await verifyObjects(objects);
      if (checked !== undefined && checked.problems.length > 0)
        bad.push(`objects (${checked.problems.join("; ")})`);
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
      if (docs)
        say(
          `verified: ${Object.entries(after)
            .map(([k, d]) => `${k} ${d.count} (${d.sha256.slice(0, 12)})`)
            .join(", ")}`,
        );
      if (checked !== undefined)
        say(
          `objects verified in bucket ${objects?.to.bucket}: ${checked.count} (${checked.bytes} bytes; ${checked.caughtUp} written since the copy, copied)`,
        );
      return advance(deps, rec, "verified", {
        ...(docs ? { before, after } : {}),
        ...withObjects(rec, {
          ...(checked !== undefined ? { verified: { count: checked.count, bytes: checked.bytes } } : {}),
          late: (rec.objects?.late ?? 0) + (checked?.caughtUp ?? 0),
        }),
      });
    }
    case "verified": {
      const epoch = await switchTenantDoc(deps.sharedDb, rec);
      deps.onSwitch?.(t);
      say(`switched: the tenant document names ${rec.to.tier} database ${rec.to.database} (epoch ${epoch})`);
      if (rec.objects !== undefined) say(`switched: objects now go to ${describePlacement(rec.objects.to)}`);
      return advance(deps, rec, "switched", { epoch, switchedAt: new Date(deps.now()) });
    }
    case "switched": {
      const waitMs = (rec.switchedAt?.getTime() ?? 0) + deps.graceMs - deps.now();
      if (waitMs > 0) {
        say(`waiting ${Math.ceil(waitMs / 1000)} s for every process to route to the new home`);
        await deps.sleep(waitMs);
      }
      const lateObjects = objects === undefined ? 0 : await copyObjects(objects, "draining");
      if (objects !== undefined) say(`late objects in the old placement carried over: ${lateObjects}`);
      if (!docs)
        return advance(
          deps,
          rec,
          "drained",
          withObjects(rec, { late: (rec.objects?.late ?? 0) + lateObjects }),
        );
      const late = await catchUp(from, to, t, rec.moveId);
      say(
        `late writes to the old home carried over: ${sum(late.copied)}, duplicates dropped: ${sum(late.dropped)}`,
      );
      return advance(deps, rec, "drained", {
        lateCopied: add(rec.lateCopied, late.copied),
        lateDropped: add(rec.lateDropped, late.dropped),
        ...withObjects(rec, { late: (rec.objects?.late ?? 0) + lateObjects }),
      });
    }
    case "drained": {
      let objectFields: Partial<MoveRecord> = {};
      if (objects !== undefined) {
        const cleaned = await cleanObjects(objects);
        say(
          `objects deleted from bucket ${objects.from.bucket}: ${cleaned.deleted} (late, copied first: ${cleaned.copied})`,
        );
        objectFields = withObjects(rec, {
          late: (rec.objects?.late ?? 0) + cleaned.copied,
          deleted: (rec.objects?.deleted ?? 0) + cleaned.deleted,
        });
      }
      if (!docs) return advance(deps, rec, "cleaned", objectFields);
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
        ...objectFields,
      });
    }
    case "cleaned": {
      await deps.audit.append({
        tenantId: t,
        actor: rec.actor,
        action: rec.direction === "promote" ? "tenant.promote" : "tenant.demote",
        before: {
          tier: rec.from.tier,
          database: rec.from.database,
          counts: countsOf(rec.before),
          ...(rec.objects !== undefined ? { storage: rec.objects.from } : {}),
        },
        after: {
          tier: rec.to.tier,
          database: rec.to.database,
          epoch: rec.epoch ?? null,
          counts: countsOf(rec.after),
          lateCopied: rec.lateCopied ?? {},
          ...(rec.objects !== undefined
            ? {
                storage: rec.objects.to,
                objects: {
                  verified: rec.objects.verified?.count ?? 0,
                  late: rec.objects.late ?? 0,
                  deleted: rec.objects.deleted ?? 0,
                },
              }
            : {}),
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
    if (movesDocuments(rec)) await undoBeforeSwitch(from.db, to.db, tenant);
    const objects = objectContext(deps, rec);
    if (objects !== undefined) {
      const n = await undoObjects(objects);
      deps.progress(`${tenant}: ${n} object copies undone in bucket ${objects.to.bucket}`);
    }
  } finally {
    await Promise.allSettled([from.close(), to.close()]);
  }
  deps.progress(`${tenant}: move aborted; the tenant stays in ${rec.from.database}`);
  return (await advance(deps, rec, "aborted")) ?? rec;
}
