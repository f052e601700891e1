/**
 * The two transports of `ScopedCollection.bulkUpdateOne` (filters already scoped to the tenant):
 *
 * - `updateCommand`: one `update` command with an `updates` array, unordered — what the server
 *   receives either way, without the driver's bulk machinery (which computes every op's BSON size
 *   before serializing it again: ~2× the CPU per op, measured in the worker benchmark). Used when
 *   the scoped collection knows its database (`tenantCollection` always does).
 * - `driverBulkWrite`: `collection.bulkWrite` of `updateOne` models, for a scoped collection made
 *   from a bare driver collection.
 *
 * Both carry the durable write concern (a raw command gets none from the driver, so `updateCommand`
 * names it) and answer the same: the documents matched in total, and the ops the server refused, by
 * index.
 * Test: test/integration/scoped-collection.test.ts runs one suite over both.
 */
import { MongoBulkWriteError, MongoServerError } from "mongodb";
import type { AnyBulkWriteOperation, Collection, Db, Document, Filter, UpdateFilter } from "mongodb";
import { DURABLE_WRITE_CONCERN_FIELD, durable } from "../mongo/write-concern.ts";

export interface BulkUpdateOutcome {
  matchedCount: number;
  /** Ops the server refused, by their index in the call; every other op ran. */
  errors: ReadonlyMap<number, Error>;
}

export interface ScopedOp<T> {
  filter: Filter<T>;
  update: UpdateFilter<T>;
}

interface UpdateReply {
  ok?: number;
  n?: number;
  writeErrors?: { index: number; code?: number; errmsg?: string }[];
  writeConcernError?: { code?: number; errmsg?: string };
}

export async function updateCommand<T extends Document>(
  db: Db,
  collectionName: string,
  ops: readonly ScopedOp<T>[],
): Promise<BulkUpdateOutcome> {
  const reply = (await db.command({
    update: collectionName,
    updates: ops.map((op) => ({ q: op.filter, u: op.update, multi: false, upsert: false })),
    ordered: false,
    writeConcern: DURABLE_WRITE_CONCERN_FIELD,
  })) as UpdateReply;
  if (reply.writeConcernError) {
    throw new MongoServerError({
      message: reply.writeConcernError.errmsg ?? "write concern error",
      code: reply.writeConcernError.code,
    });
  }
  const errors = new Map<number, Error>(
    (reply.writeErrors ?? []).map((w) => [
      w.index,
      new MongoServerError({ message: w.errmsg ?? "write error", code: w.code }),
    ]),
  );
  return { matchedCount: reply.n ?? 0, errors };
}

export async function driverBulkWrite<T extends Document>(
  collection: Collection<T>,
  ops: readonly ScopedOp<T>[],
): Promise<BulkUpdateOutcome> {
  const models = ops.map((op) => ({ updateOne: { filter: op.filter, update: op.update } }));
  try {
    const res = await collection.bulkWrite(models as AnyBulkWriteOperation<T>[], durable({ ordered: false }));
    return { matchedCount: res.matchedCount, errors: new Map() };
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError) || err.writeErrors === undefined) throw err;
    const list = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    if (list.length === 0) throw err; // e.g. a write concern error: nothing to pin on one op
    const errors = new Map<number, Error>(
      list.map((w) => [w.index, new MongoServerError({ message: w.errmsg ?? "write error", code: w.code })]),
    );
    return { matchedCount: err.matchedCount, errors };
  }
}
