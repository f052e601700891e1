/**
 * The write concern of every write to tenant data (jobs, usage counters, the usage ledger): defined
 * here, applied by the tenant-scoped collection (shared/tenancy/scoped-collection.ts), which every
 * such write goes through. ADR 0006.
 *
 * `w: "majority"` with the journal: a write is acknowledged only once a majority of a replica set's
 * voting members have it in their on-disk journal, so no failover or crash can roll back a write
 * Sluice acted on (an intake message deleted after its job was created, a step's side effect
 * recorded by a checkpoint). A standalone mongod treats it as `w: 1` with the journal; the local
 * MongoDB-wire server (infra/mongo) commits its H2 store and fsyncs it before acknowledging such a
 * write (its memory backend keeps nothing across a restart at all).
 */
import type { WriteConcernSettings } from "mongodb";

/** For driver calls: `{ writeConcern: DURABLE_WRITE_CONCERN }`. */
export const DURABLE_WRITE_CONCERN: Readonly<WriteConcernSettings> = Object.freeze({
  w: "majority",
  journal: true,
});

/** The same as the `writeConcern` field of a raw command (`db.command` adds none by itself). */
export const DURABLE_WRITE_CONCERN_FIELD: Readonly<{ w: "majority"; j: true }> = Object.freeze({
  w: "majority",
  j: true,
});

/** `options` with the durable write concern (it replaces any other: tenant data is always durable). */
export function durable<O extends object>(options?: O): O & { writeConcern: WriteConcernSettings } {
  return { ...(options ?? ({} as O)), writeConcern: DURABLE_WRITE_CONCERN };
}
