/**
 * Tenant-scoped data access: the only way code reaches tenant data in MongoDB (invariant 3).
 *
 * `scopedCollection(collection, tenantId)` wraps a driver collection so that
 * - every filter gets `tenantId: <tenant>` added at the top level (an AND, so no `$or`, `$where` or
 *   `$expr` inside the caller's filter can widen the match); a filter that names any other tenant id,
 *   or constrains `tenantId` with an operator other than `$eq` of the same tenant, is refused;
 * - every inserted document gets `tenantId` set, and one that carries another tenant's id is refused;
 * - an update can never change `tenantId` (any update operator touching it is refused unless it sets
 *   the same value), and pipeline-style or replacement updates are refused;
 * - an aggregation starts with a `$match` on the tenant and may not reach other collections
 *   (`$lookup`, `$graphLookup`, `$unionWith`) or write (`$out`, `$merge`);
 * - every write carries the durable write concern (shared/mongo/write-concern.ts: majority,
 *   journaled), whatever the caller's options say.
 *
 * A refused call fails before anything reaches the server: promise-returning methods reject with
 * `TenantScopeError`; `find` and `aggregate`, which return cursors, throw it synchronously.
 *
 * There is deliberately no escape hatch returning the raw collection. The cross-tenant sweeper queries
 * in shared/jobs/sweeper-queries.ts are the one documented exception and take a raw collection from
 * operator code.
 *
 * `tenantCollection(router, tenant, name)` is how production code gets one: the `TenantDataRouter`
 * (tenant-router.ts) picks the database from the tenant document's `tier` and `storage` (shared tier:
 * the shared database; dedicated: its own). Documents in a dedicated database still carry `tenantId`
 * and are still scoped, so a routing mistake cannot leak.
 */
import type {
  AggregateOptions,
  Collection,
  CountDocumentsOptions,
  Db,
  DeleteOptions,
  DeleteResult,
  Document,
  Filter,
  FindOneAndUpdateOptions,
  FindOptions,
  InsertOneOptions,
  InsertOneResult,
  OptionalUnlessRequiredId,
  UpdateFilter,
  UpdateOptions,
  UpdateResult,
  WithId,
} from "mongodb";
import { driverBulkWrite, updateCommand, type BulkUpdateOutcome, type ScopedOp } from "./bulk-update.ts";
import type { CollectionName } from "../mongo/collections.ts";
import { durable } from "../mongo/write-concern.ts";
import { TenantIdSchema } from "./tenant-id.ts";
import type { TenantId } from "./tenant-id.ts";
import type { TenantDataRouter } from "./tenant-router.ts";

export type { IsolationTier } from "./tenant-storage.ts";
export { dedicatedDbName } from "./tenant-storage.ts";
export type { TenantDataRouter } from "./tenant-router.ts";

/** Any document stored in a tenant-scoped collection. */
export interface TenantOwned {
  tenantId: string;
}

/** Raised when a call would read or write outside the collection's tenant. Never retryable. */
export class TenantScopeError extends Error {
  readonly code = "tenant_scope_violation" as const;
  readonly retryable = false as const;
  constructor(message: string) {
    super(message);
    this.name = "TenantScopeError";
  }
}

/** A document to insert: `tenantId` may be omitted (it is filled in) but never differ. */
export type ScopedInsert<T extends TenantOwned> = Omit<OptionalUnlessRequiredId<T>, "tenantId"> & {
  tenantId?: string;
};

export interface ScopedCollection<T extends TenantOwned> {
  readonly tenantId: TenantId;
  readonly collectionName: string;
  findOne(filter?: Filter<T>, options?: FindOptions): Promise<WithId<T> | null>;
  find(filter?: Filter<T>, options?: FindOptions): ScopedCursor<WithId<T>>;
  insertOne(doc: ScopedInsert<T>, options?: InsertOneOptions): Promise<InsertOneResult<T>>;
  updateOne(filter: Filter<T>, update: UpdateFilter<T>, options?: UpdateOptions): Promise<UpdateResult<T>>;
  findOneAndUpdate(
    filter: Filter<T>,
    update: UpdateFilter<T>,
    options?: Omit<FindOneAndUpdateOptions, "includeResultMetadata">,
  ): Promise<WithId<T> | null>;
  /**
   * Several single-document updates in one unordered `bulkWrite` command (one round trip). The
   * outcome counts the documents matched in total and names the ops the server refused (by index);
   * the others ran. A failure of the command as a whole rejects.
   */
  bulkUpdateOne(ops: readonly ScopedOp<T>[]): Promise<BulkUpdateOutcome>;
  countDocuments(filter?: Filter<T>, options?: CountDocumentsOptions): Promise<number>;
  deleteOne(filter: Filter<T>, options?: DeleteOptions): Promise<DeleteResult>;
  aggregate<R extends Document = Document>(pipeline: Document[], options?: AggregateOptions): ScopedCursor<R>;
}

/** What `find` and `aggregate` return: read all, or iterate. (A routed collection opens it lazily.) */
export interface ScopedCursor<T> {
  toArray(): Promise<T[]>;
  [Symbol.asyncIterator](): AsyncIterator<T>;
}

const LOGICAL_OPERATORS = ["$and", "$or", "$nor"] as const;
const FORBIDDEN_STAGES = new Set(["$lookup", "$graphLookup", "$unionWith", "$out", "$merge", "$documents"]);
const UPDATE_OPERATORS_THAT_MAY_SET = new Set(["$set", "$setOnInsert"]);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function checkTenantClause(value: unknown, tenant: TenantId, where: string): void {
  const sameTenant =
    value === tenant || (isPlainObject(value) && Object.keys(value).length === 1 && value.$eq === tenant);
  if (!sameTenant) {
    throw new TenantScopeError(
      `${where} names tenantId ${JSON.stringify(value)} but this collection is scoped to tenant "${tenant}"`,
    );
  }
}

function checkFilter(filter: Record<string, unknown>, tenant: TenantId, where: string): void {
  if ("tenantId" in filter) checkTenantClause(filter.tenantId, tenant, where);
  for (const op of LOGICAL_OPERATORS) {
    const clauses = filter[op];
    if (clauses === undefined) continue;
    if (!Array.isArray(clauses)) throw new TenantScopeError(`${where}: ${op} must be an array`);
    for (const clause of clauses) {
      if (isPlainObject(clause)) checkFilter(clause, tenant, `${where}.${op}`);
    }
  }
}

/** Adds the tenant to a filter after refusing one that names another tenant. Exported for tests. */
export function scopeFilter<T extends TenantOwned>(
  filter: Filter<T> | undefined,
  tenant: TenantId,
): Filter<T> {
  const f: Record<string, unknown> = filter === undefined ? {} : (filter as Record<string, unknown>);
  if (!isPlainObject(f)) throw new TenantScopeError("filter must be a plain object");
  checkFilter(f, tenant, "filter");
  return { ...f, tenantId: tenant } as Filter<T>;
}

function touchesTenantId(path: string): boolean {
  return path === "tenantId" || path.startsWith("tenantId.");
}

/** Refuses updates that could move a document to another tenant. Exported for tests. */
export function checkUpdate(update: unknown, tenant: TenantId): void {
  if (Array.isArray(update)) {
    throw new TenantScopeError("pipeline-style updates are not supported through a scoped collection");
  }
  if (!isPlainObject(update)) throw new TenantScopeError("update must be an object of update operators");
  for (const [op, fields] of Object.entries(update)) {
    if (!op.startsWith("$")) {
      throw new TenantScopeError(`replacement updates are not supported through a scoped collection (${op})`);
    }
    if (!isPlainObject(fields)) continue;
    for (const [path, value] of Object.entries(fields)) {
      const renamesOnto = op === "$rename" && typeof value === "string" && touchesTenantId(value);
      if (!touchesTenantId(path) && !renamesOnto) continue;
      if (UPDATE_OPERATORS_THAT_MAY_SET.has(op) && path === "tenantId" && value === tenant) continue;
      throw new TenantScopeError(
        `update ${op} on ${renamesOnto ? String(value) : path} would change tenantId`,
      );
    }
  }
}

function checkPipeline(pipeline: readonly unknown[], where: string): void {
  for (const [i, stage] of pipeline.entries()) {
    if (!isPlainObject(stage)) throw new TenantScopeError(`${where}[${i}] is not a stage object`);
    for (const [name, body] of Object.entries(stage)) {
      if (FORBIDDEN_STAGES.has(name)) {
        throw new TenantScopeError(
          `${where}[${i}]: stage ${name} is not allowed through a scoped collection`,
        );
      }
      if (name === "$facet" && isPlainObject(body)) {
        for (const [facet, sub] of Object.entries(body)) {
          if (Array.isArray(sub)) checkPipeline(sub, `${where}[${i}].$facet.${facet}`);
        }
      }
    }
  }
}

/** Prepends (or scopes an existing leading) `$match` on the tenant. Exported for tests. */
export function scopePipeline(pipeline: readonly Document[], tenant: TenantId): Document[] {
  checkPipeline(pipeline, "pipeline");
  const [first, ...rest] = pipeline;
  if (first !== undefined && Object.keys(first).length === 1 && isPlainObject(first.$match)) {
    return [{ $match: scopeFilter(first.$match as Filter<TenantOwned>, tenant) }, ...rest];
  }
  return [{ $match: { tenantId: tenant } }, ...pipeline];
}

function scopeInsert<T extends TenantOwned>(
  doc: ScopedInsert<T>,
  tenant: TenantId,
): OptionalUnlessRequiredId<T> {
  if (!isPlainObject(doc)) throw new TenantScopeError("document must be a plain object");
  const given = (doc as { tenantId?: unknown }).tenantId;
  if (given !== undefined && given !== tenant) {
    throw new TenantScopeError(
      `document has tenantId ${JSON.stringify(given)} but this collection is scoped to tenant "${tenant}"`,
    );
  }
  return { ...doc, tenantId: tenant } as unknown as OptionalUnlessRequiredId<T>;
}

function requireTenant(tenantId: TenantId): TenantId {
  // The brand is a compile-time promise; check it at run time too, since a cast can forge it.
  const parsed = TenantIdSchema.safeParse(tenantId);
  if (!parsed.success) throw new TenantScopeError(`invalid tenant id ${JSON.stringify(tenantId)}`);
  return parsed.data;
}

/** Wraps `collection` so that every call is confined to `tenantId`'s documents. */
export function scopedCollection<T extends TenantOwned>(
  collection: Collection<T>,
  tenantId: TenantId,
  /** The collection's database, when known: bulk updates then go as one plain `update` command. */
  db?: Db,
): ScopedCollection<T> {
  if (db !== undefined && db.databaseName !== collection.dbName) {
    throw new Error(`collection ${collection.namespace} is not in database ${db.databaseName}`);
  }
  const tenant = requireTenant(tenantId);
  return {
    tenantId: tenant,
    collectionName: collection.collectionName,
    findOne: async (filter, options) => collection.findOne(scopeFilter(filter, tenant), options ?? {}),
    find: (filter, options) => collection.find(scopeFilter(filter, tenant), options),
    insertOne: async (doc, options) => collection.insertOne(scopeInsert(doc, tenant), durable(options)),
    updateOne: async (filter, update, options) => {
      checkUpdate(update, tenant);
      return collection.updateOne(scopeFilter(filter, tenant), update, durable(options));
    },
    findOneAndUpdate: async (filter, update, options) => {
      checkUpdate(update, tenant);
      return collection.findOneAndUpdate(
        scopeFilter(filter, tenant),
        update,
        durable({ ...options, includeResultMetadata: false as const }),
      );
    },
    bulkUpdateOne: async (ops) => {
      const scoped = ops.map((op) => {
        checkUpdate(op.update, tenant);
        return { filter: scopeFilter(op.filter, tenant), update: op.update };
      });
      return db ? updateCommand(db, collection.collectionName, scoped) : driverBulkWrite(collection, scoped);
    },
    countDocuments: async (filter, options) =>
      collection.countDocuments(scopeFilter(filter, tenant), options),
    deleteOne: async (filter, options) => collection.deleteOne(scopeFilter(filter, tenant), durable(options)),
    aggregate: <R extends Document = Document>(pipeline: Document[], options?: AggregateOptions) =>
      collection.aggregate<R>(scopePipeline(pipeline, tenant), options),
  };
}

// ---------------------------------------------------------------------------------------------
// Routed collections (the isolation ladder)

/**
 * The scoped collection `name` of `tenantId`, in the database the router picks for it (tenant-router.ts).
 * Routing is resolved on each call (the router caches it), so a promotion applies without rebuilding
 * stores; a tenant the router cannot resolve makes every call fail with `TenantRoutingError` and
 * reaches no database. Filters, updates and pipelines are checked before routing, as above.
 */
export function tenantCollection<T extends TenantOwned>(
  router: TenantDataRouter,
  tenantId: TenantId,
  name: CollectionName,
): ScopedCollection<T> {
  const tenant = requireTenant(tenantId);
  let last: { db: Db; coll: ScopedCollection<T> } | undefined;
  const target = async (): Promise<ScopedCollection<T>> => {
    const db = await router.dbFor(tenant);
    if (last?.db !== db) last = { db, coll: scopedCollection(db.collection<T>(name), tenant, db) };
    return last.coll;
  };
  return {
    tenantId: tenant,
    collectionName: name,
    findOne: async (filter, options) => {
      scopeFilter(filter, tenant);
      return (await target()).findOne(filter, options);
    },
    find: (filter, options) => {
      scopeFilter(filter, tenant);
      return lazyCursor(async () => (await target()).find(filter, options));
    },
    insertOne: async (doc, options) => {
      scopeInsert(doc, tenant);
      return (await target()).insertOne(doc, options);
    },
    updateOne: async (filter, update, options) => {
      checkUpdate(update, tenant);
      return (await target()).updateOne(scopeFilter(filter, tenant), update, options);
    },
    findOneAndUpdate: async (filter, update, options) => {
      checkUpdate(update, tenant);
      return (await target()).findOneAndUpdate(scopeFilter(filter, tenant), update, options);
    },
    bulkUpdateOne: async (ops) => (await target()).bulkUpdateOne(ops),
    countDocuments: async (filter, options) => (await target()).countDocuments(filter, options),
    deleteOne: async (filter, options) => (await target()).deleteOne(filter, options),
    aggregate: <R extends Document = Document>(pipeline: Document[], options?: AggregateOptions) => {
      scopePipeline(pipeline, tenant);
      return lazyCursor<R>(async () => (await target()).aggregate<R>(pipeline, options));
    },
  };
}

function lazyCursor<T>(open: () => Promise<ScopedCursor<T>>): ScopedCursor<T> {
  let cursor: Promise<ScopedCursor<T>> | undefined;
  const get = () => (cursor ??= open());
  return {
    toArray: async () => (await get()).toArray(),
    async *[Symbol.asyncIterator]() {
      yield* await get();
    },
  };
}
