/**
 * Pure pieces of a tenant move over single documents: the fence write, its undoing, and the content
 * digest that verification compares (docs/adr/0021-tenant-moves-audit-offboarding.md).
 *
 * - `fenceOp(doc)`: the update that fences one document of the tenant in the OLD home: `tenantId`
 *   becomes `~<tenant>` and `status` (when the document has one) moves to `moveFence.status`. Its
 *   filter restates the document's `tenantId`, its `status` and its `version` (when it has them), so
 *   a document changed between the read and the fence is not fenced as read: the round re-reads it.
 *   The fence is one single-document write, so a concurrent CAS write of a worker either lands
 *   before it (and is part of what is copied) or after it (and matches nothing: the worker lost).
 * - `unfence(doc)`: the document as it was before the fence (what is copied to the new home).
 * - `digestOf(doc)`: SHA-256 of the document's canonical Extended JSON (keys sorted at every level,
 *   types kept: a date is not its string). A collection's digest is the SHA-256 of its documents'
 *   digests sorted, so it does not depend on the order the server returns them in, and is computed
 *   the same way over the fenced old documents (unfenced first) and over the copies.
 */
import { createHash } from "node:crypto";
import { BSON, type Document } from "mongodb";
import { canonicalJson } from "../../shared/messages/payload-hash.ts";
import { fencedTenantId, type CollectionDigest } from "../../shared/moves/move-record.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export interface FenceOp {
  readonly filter: Document;
  readonly update: Document;
}

/** The fence of one (unfenced) document of `tenant`, restating what was read. */
export function fenceOp(doc: Document, tenant: TenantId, moveId: string): FenceOp {
  const filter: Document = { _id: doc["_id"], tenantId: tenant };
  if (typeof doc["version"] === "number") filter["version"] = doc["version"];
  const hasStatus = "status" in doc;
  if (hasStatus) filter["status"] = doc["status"];
  const fence: Document = { moveId, ...(hasStatus ? { status: doc["status"] } : {}) };
  return {
    filter,
    update: {
      $set: { tenantId: fencedTenantId(tenant), moveFence: fence },
      ...(hasStatus ? { $unset: { status: "" } } : {}),
    },
  };
}

/** True when `doc` carries the fence of `tenant`. */
export function isFenced(doc: Document, tenant: TenantId): boolean {
  return doc["tenantId"] === fencedTenantId(tenant);
}

/** The document as it was before its fence (a document without a fence is returned as is). */
export function unfence(doc: Document, tenant: TenantId): Document {
  if (!isFenced(doc, tenant)) return doc;
  const { moveFence, ...rest } = doc as { moveFence?: { status?: unknown } } & Document;
  const out: Document = { ...rest, tenantId: tenant };
  if (moveFence !== undefined && moveFence !== null && "status" in moveFence)
    out["status"] = moveFence.status;
  return out;
}

/** The fence's undoing as an update of a fenced document (an aborted move). */
export function unfenceUpdate(doc: Document, tenant: TenantId): Document {
  const original = unfence(doc, tenant);
  return {
    $set: { tenantId: tenant, ...("status" in original ? { status: original["status"] } : {}) },
    $unset: { moveFence: "" },
  };
}

/** SHA-256 (hex) of one document's canonical Extended JSON. */
export function digestOf(doc: Document): string {
  const ejson = BSON.EJSON.serialize(doc, { relaxed: false });
  return createHash("sha256").update(canonicalJson(ejson)).digest("hex");
}

/** Accumulates documents' digests into a collection's count and hash (order-independent). */
export class DigestAccumulator {
  readonly #digests: string[] = [];

  add(doc: Document): void {
    this.#digests.push(digestOf(doc));
  }

  result(): CollectionDigest {
    const h = createHash("sha256");
    for (const d of [...this.#digests].sort()) h.update(d).update("\n");
    return { count: this.#digests.length, sha256: h.digest("hex") };
  }
}

/** The collections whose digests differ (or exist on one side only), by name. Pure. */
export function digestMismatches(
  before: Readonly<Record<string, CollectionDigest>>,
  after: Readonly<Record<string, CollectionDigest>>,
): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((n) => before[n]?.count !== after[n]?.count || before[n]?.sha256 !== after[n]?.sha256);
}
