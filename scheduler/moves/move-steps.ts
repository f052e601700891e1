/**
 * The steps of a tenant move over two plain database handles, the old home and the new one (the
 * orchestration and its recorded phases are in tenant-move.ts). Each step is idempotent: run again
 * after a crash it finishes what is left and redoes nothing harmful. OPERATOR CODE: these are the
 * raw collection accesses of a move (every filter names the tenant, or its fenced id).
 */
import type { AnyBulkWriteOperation, Db, Document } from "mongodb";
import { TENANT_DATA_COLLECTIONS } from "../../shared/mongo/collections.ts";
import { isDuplicateKeyError } from "../../shared/mongo/errors.ts";
import { INDEXES } from "../../shared/mongo/indexes.ts";
import { DURABLE_WRITE_CONCERN, durable } from "../../shared/mongo/write-concern.ts";
import { fencedTenantId, type CollectionDigest } from "../../shared/moves/move-record.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { DigestAccumulator, fenceOp, unfence, unfenceUpdate } from "./move-docs.ts";

const BATCH = 500;
/** Rounds of the fence over documents that changed under it; the rest is left to the catch-up. */
const FENCE_ROUNDS = 5;

export type Counts = Record<string, number>;

const collections = (): readonly string[] => TENANT_DATA_COLLECTIONS;

async function inBatches<T>(items: AsyncIterable<T>, fn: (batch: T[]) => Promise<void>): Promise<void> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= BATCH) {
      await fn(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await fn(batch);
}

/**
 * Fences every document of `tenant` in `db` (move-docs.ts `fenceOp`), a few rounds so that a
 * document that changed between its read and its fence is read and fenced again. Returns how many
 * documents each collection holds fenced afterwards.
 */
export async function fenceAll(db: Db, tenant: TenantId, moveId: string): Promise<Counts> {
  const fenced: Counts = {};
  for (const name of collections()) {
    const coll = db.collection(name);
    for (let round = 0; round < FENCE_ROUNDS; round += 1) {
      const left = await coll.find({ tenantId: tenant }).toArray();
      if (left.length === 0) break;
      for (let i = 0; i < left.length; i += BATCH) {
        const ops: AnyBulkWriteOperation[] = left.slice(i, i + BATCH).map((d) => {
          const op = fenceOp(d, tenant, moveId);
          return { updateOne: { filter: op.filter, update: op.update } };
        });
        await coll
          .bulkWrite(ops, { ordered: false, writeConcern: DURABLE_WRITE_CONCERN })
          .catch(onlyDuplicates);
      }
    }
    fenced[name] = await coll.countDocuments({ tenantId: fencedTenantId(tenant) });
  }
  return fenced;
}

/**
 * A fence refused by a unique index: a document written after the fence began duplicates a fenced
 * one (a job created again for an idempotency key the tenant has). It stays unfenced; the catch-up
 * drops it.
 */
function onlyDuplicates(err: unknown): void {
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors !== undefined ? [writeErrors] : [];
  if (list.length === 0 || !list.every((e) => (e as { code?: number }).code === 11000)) throw err;
}

/** Creates the tenant-data indexes in `db` (a new dedicated database gets them before any copy). */
export async function ensureTenantIndexes(db: Db): Promise<void> {
  const names = new Set<string>(collections());
  for (const def of INDEXES.filter((d) => names.has(d.collection))) {
    await db.collection(def.collection).createIndex(def.keys, { ...def.options, name: def.name });
  }
}

/**
 * Copies every fenced document of `tenant` from `from` into `to`, unfenced, replacing any copy a
 * previous run left (nothing else writes the new home before the switch). Returns the counts copied.
 */
export async function copyFenced(from: Db, to: Db, tenant: TenantId): Promise<Counts> {
  const copied: Counts = {};
  for (const name of collections()) {
    let n = 0;
    const target = to.collection(name);
    await inBatches(from.collection(name).find({ tenantId: fencedTenantId(tenant) }), async (batch) => {
      const ops: AnyBulkWriteOperation[] = batch.map((d) => {
        const doc = unfence(d, tenant);
        return {
          replaceOne: { filter: { _id: doc["_id"], tenantId: tenant }, replacement: doc, upsert: true },
        };
      });
      await target.bulkWrite(ops, { ordered: false, writeConcern: DURABLE_WRITE_CONCERN });
      n += batch.length;
    });
    copied[name] = n;
  }
  return copied;
}

/**
 * Count and content hash per collection of the tenant's documents in `db`: the fenced ones
 * (unfenced before hashing) when `fenced`, else the live ones.
 */
export async function digests(
  db: Db,
  tenant: TenantId,
  fenced: boolean,
): Promise<Record<string, CollectionDigest>> {
  const out: Record<string, CollectionDigest> = {};
  const id = fenced ? fencedTenantId(tenant) : tenant;
  for (const name of collections()) {
    const acc = new DigestAccumulator();
    for await (const d of db.collection(name).find({ tenantId: id })) acc.add(unfence(d, tenant));
    out[name] = acc.result();
  }
  return out;
}

export interface CatchUp {
  copied: Counts;
  dropped: Counts;
}

/**
 * How a late document merges into a copy with the same `_id`: LLM usage adds its counters (its
 * writer started from 0), a ledger entry adds the flags it set.
 */
function mergeUpdate(name: string, late: Document): Document | undefined {
  if (name === "llm_usage")
    return { $inc: { tokens: Number(late["tokens"] ?? 0), calls: Number(late["calls"] ?? 0) } };
  if (name === "usage_ledger") {
    const flags = Object.fromEntries(
      ["acquired", "settled"].filter((f) => late[f] === true).map((f) => [f, true]),
    );
    return Object.keys(flags).length > 0 ? { $set: flags } : undefined;
  }
  return undefined;
}

/**
 * Carries over what processes still routing to the old home wrote there after the fence (they
 * cannot reach fenced documents, so these are new documents: a job created, a counter started).
 * Each is fenced, then inserted into the new home unless it is already there: a job whose
 * idempotency key the tenant already has is a duplicate of it and dropped; a month of LLM usage adds
 * its counters; a usage counter is dropped (the scheduler's reconcile recounts running jobs).
 */
export async function catchUp(from: Db, to: Db, tenant: TenantId, moveId: string): Promise<CatchUp> {
  const copied: Counts = {};
  const dropped: Counts = {};
  for (const name of collections()) {
    copied[name] = 0;
    dropped[name] = 0;
    const source = from.collection(name);
    const target = to.collection(name);
    for (const late of await source.find({ tenantId: tenant }).toArray()) {
      const op = fenceOp(late, tenant, moveId);
      let matched: number;
      try {
        matched = (await source.updateOne(op.filter, op.update, durable())).matchedCount;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        // It duplicates a fenced document (same unique key): the tenant has it already.
        await source.deleteOne({ _id: late["_id"], tenantId: tenant }, durable());
        dropped[name] += 1;
        continue;
      }
      if (matched === 0) continue; // changed meanwhile: the next pass takes it
      try {
        await target.insertOne(late, durable());
        copied[name] += 1;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const merge = mergeUpdate(name, late);
        const same = merge && (await target.countDocuments({ _id: late["_id"], tenantId: tenant })) === 1;
        if (merge && same) {
          await target.updateOne({ _id: late["_id"], tenantId: tenant }, merge, durable());
          copied[name] += 1;
        } else dropped[name] += 1;
      }
    }
  }
  return { copied, dropped };
}

/** Deletes the fenced documents of `tenant` from `db`. Returns the counts deleted. */
export async function deleteFenced(db: Db, tenant: TenantId): Promise<Counts> {
  const deleted: Counts = {};
  for (const name of collections()) {
    const r = await db.collection(name).deleteMany({ tenantId: fencedTenantId(tenant) }, durable());
    deleted[name] = r.deletedCount;
  }
  return deleted;
}

/** Documents of `tenant` (fenced or not) left in `db`, per collection. */
export async function remaining(db: Db, tenant: TenantId): Promise<Counts> {
  const out: Counts = {};
  for (const name of collections()) {
    out[name] = await db
      .collection(name)
      .countDocuments({ tenantId: { $in: [tenant, fencedTenantId(tenant)] } });
  }
  return out;
}

/** True when no collection of `db` holds any document (a dedicated database left empty). */
export async function isEmptyDatabase(db: Db): Promise<boolean> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  for (const name of names.filter((n) => !n.startsWith("system."))) {
    if ((await db.collection(name).countDocuments({}, { limit: 1 })) > 0) return false;
  }
  return true;
}

/** Undoes a move before its switch: the copies go, the old documents are unfenced. */
export async function undoBeforeSwitch(from: Db, to: Db, tenant: TenantId): Promise<void> {
  for (const name of collections()) {
    await to.collection(name).deleteMany({ tenantId: tenant }, durable());
    const source = from.collection(name);
    for await (const d of source.find({ tenantId: fencedTenantId(tenant) })) {
      await source.updateOne(
        { _id: d["_id"], tenantId: fencedTenantId(tenant) },
        unfenceUpdate(d, tenant),
        durable(),
      );
    }
  }
}

/** For callers that want to read one raw document (tests, reports). */
export type { Document };
