/**
 * An operator's edit of a tenant's quota document (the CLI's `tenants set`, the console's quota form):
 * read the document, apply the assignments, validate the result with the quota schema, and write it
 * as a compare-and-set on `version` (version + 1, `updatedAt` now); a tenant without a document gets
 * one (`_id` = tenant id, version 1) if the result is valid. A concurrent edit makes it re-read and
 * re-validate (at most `MAX_EDIT_ATTEMPTS` times). Every saved edit is in the audit trail with its
 * actor and the changed fields before and after.
 *
 * An edit of `storage.bucket` / `storage.kmsKeyId` (the tenant's placement) is refused while the
 * tenant has objects in its current placement: readers would look in the new bucket and the objects
 * would be lost to them. `tenants promote ... --bucket B [--kms-key K]` moves them (ADR 0022).
 */
import type { Collection, Document } from "mongodb";
import { pickFields, type AuditActor, type AuditLog } from "../../shared/audit/audit-log.ts";
import { isDuplicateKeyError } from "../../shared/mongo/errors.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { applyAssignments, type Assignment } from "../cli/assignments.ts";
import { parseQuota, type QuotaProblem } from "./schema.ts";

export const MAX_EDIT_ATTEMPTS = 3;

export interface EditQuotaDeps {
  /** The fleet-level `tenants` collection (operators write it; the scheduler only reads it). */
  readonly tenants: Collection<Document>;
  readonly audit: Pick<AuditLog, "append">;
  readonly now: () => number;
  /**
   * Whether the tenant has any object in its current placement (asked only when an edit changes the
   * placement; without it such an edit is refused).
   */
  readonly hasObjects?: (tenant: TenantId) => Promise<boolean>;
}

export type EditQuotaResult =
  | {
      readonly ok: true;
      readonly version: number;
      readonly created: boolean;
      readonly changed: readonly string[];
      readonly before: unknown;
      readonly after: unknown;
    }
  | { readonly ok: false; readonly reason: "invalid"; readonly problems: readonly QuotaProblem[] }
  | { readonly ok: false; readonly reason: "contended" }
  | { readonly ok: false; readonly reason: "objects"; readonly message: string };

const placementFields = (doc: Record<string, unknown> | null): [unknown, unknown] => {
  const storage = doc?.["storage"];
  const s = storage !== null && typeof storage === "object" ? (storage as Record<string, unknown>) : {};
  return [s["bucket"], s["kmsKeyId"]];
};

/** Whether an edit changes the tenant's placement (`storage.bucket` / `storage.kmsKeyId`). Pure. */
export function changesPlacement(
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
): boolean {
  const [b0, k0] = placementFields(before);
  const [b1, k1] = placementFields(after);
  return b0 !== b1 || k0 !== k1;
}

export function objectsMoveMessage(tenant: TenantId, checked: boolean): string {
  return `${tenant}: storage.bucket and storage.kmsKeyId name where the tenant's objects are; ${
    checked
      ? "it has objects in its current placement, which an edit would leave behind (reads go to the new bucket)"
      : "its objects could not be checked (no S3)"
  }. Move them with: sluice tenants promote ${tenant} --to dedicated --bucket <bucket> [--kms-key <key>] (or tenants demote ${tenant} --to shared, back to the fleet bucket)`;
}

export async function editQuota(
  deps: EditQuotaDeps,
  tenant: TenantId,
  assignments: readonly Assignment[],
  actor: AuditActor,
): Promise<EditQuotaResult> {
  for (let attempt = 1; attempt <= MAX_EDIT_ATTEMPTS; attempt += 1) {
    const current = await deps.tenants.findOne({ $or: [{ tenantId: tenant }, { _id: tenant as never }] });
    const base: Record<string, unknown> = current ?? { _id: tenant, tenantId: tenant, version: 0 };
    const version = typeof base["version"] === "number" ? base["version"] : 0;
    const { doc, changed } = applyAssignments(base, assignments);
    const candidate = { ...doc, version: version + 1, updatedAt: new Date(deps.now()) };
    const check = parseQuota(candidate);
    if (!check.ok) return { ok: false, reason: "invalid", problems: check.problems };
    if (changesPlacement(current, doc)) {
      if (deps.hasObjects === undefined)
        return { ok: false, reason: "objects", message: objectsMoveMessage(tenant, false) };
      if (await deps.hasObjects(tenant))
        return { ok: false, reason: "objects", message: objectsMoveMessage(tenant, true) };
    }
    const written =
      current === null
        ? await insert(deps.tenants, candidate)
        : await update(deps.tenants, current, doc, changed, version + 1);
    if (!written) continue; // someone else edited it meanwhile: re-read and re-validate
    const before = pickFields(current, changed);
    const after = pickFields(doc, changed);
    await deps.audit.append({
      tenantId: tenant,
      actor,
      action: "quota.set",
      before,
      after,
      at: new Date(deps.now()),
    });
    return { ok: true, version: version + 1, created: current === null, changed, before, after };
  }
  return { ok: false, reason: "contended" };
}

async function insert(tenants: Collection<Document>, candidate: Record<string, unknown>): Promise<boolean> {
  try {
    await tenants.insertOne(candidate);
    return true;
  } catch (e) {
    if (isDuplicateKeyError(e)) return false;
    throw e;
  }
}

async function update(
  tenants: Collection<Document>,
  current: Document,
  doc: Record<string, unknown>,
  changed: readonly string[],
  nextVersion: number,
): Promise<boolean> {
  const set: Document = Object.fromEntries(changed.map((k) => [k, doc[k]]));
  set["version"] = nextVersion; // $set, not $inc: a broken document may hold a non-numeric version
  // Compare-and-set on the version as read (or its absence).
  const filter: Document = { _id: current["_id"] };
  filter["version"] = current["version"] === undefined ? { $exists: false } : current["version"];
  const res = await tenants.updateOne(filter, { $set: set, $currentDate: { updatedAt: true } });
  return res.matchedCount === 1;
}
