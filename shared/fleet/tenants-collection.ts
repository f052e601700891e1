/**
 * The fleet's `tenants` collection (one document per tenant: quota, tier, storage, settings), in the
 * shared database. Fleet-level, not tenant data: it is how the fleet finds its tenants, so it is read
 * across tenants (the scheduler's quota source, the router, operators' CLIs). This module is the one
 * place that names it (the `sluice/raw-collections` lint rule's allow-list).
 */
import type { Collection, Db, Document } from "mongodb";
import { COLLECTIONS } from "../mongo/collections.ts";

/** The raw `tenants` collection of the shared database `db`. */
export function tenantsCollection(db: Db): Collection<Document> {
  return db.collection<Document>(COLLECTIONS.tenants);
}
