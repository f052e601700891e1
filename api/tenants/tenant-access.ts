import type { Quota } from "../../scheduler/quota/schema.ts";
import { ApiError } from "../errors.ts";
import type { TenantLookup } from "./tenant-directory.ts";

/**
 * May this tenant use the API now? Pure. A suspended tenant is refused with its reason; a paused
 * one passes (its work waits in the queue); a tenant without a valid document is unknown.
 */
export function admitTenant(lookup: TenantLookup): Quota {
  if (lookup.kind !== "found") {
    throw new ApiError(403, "tenant_unknown", "the token's tenant is not known to this Sluice");
  }
  const { quota } = lookup;
  if (quota.status === "suspended") {
    const reason = quota.reason ?? "suspended by an operator";
    throw new ApiError(403, "tenant_suspended", `the tenant is suspended: ${reason}`, { reason });
  }
  return quota;
}
