import { parseQuota } from "./schema.ts";
import type { Quota, QuotaProblem } from "./schema.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

/**
 * The last valid quota of every tenant (invariant 5). Pure and synchronous: the I/O loop feeds it every
 * document it reads from MongoDB (poll or change stream) and hands `quotas()` to the scheduler.
 *
 * - A valid document replaces the tenant's quota and clears its recorded problems.
 * - An invalid document changes nothing that is scheduled: the previous valid quota keeps applying and
 *   the problems are recorded for operators (`problemsOf`). A tenant that never had a valid document
 *   has no quota and is not schedulable.
 * - A document whose `version` is lower than the one applied is a stale read and is ignored.
 */
export type QuotaApplyOutcome =
  | { readonly kind: "applied"; readonly quota: Quota; readonly previous: Quota | undefined }
  | {
      readonly kind: "stale";
      readonly tenantId: TenantId;
      readonly version: number;
      readonly current: number;
    }
  | {
      readonly kind: "rejected";
      /** Undefined when the document does not even name a valid tenant. */
      readonly tenantId: TenantId | undefined;
      readonly problems: readonly QuotaProblem[];
      /** The quota still applying, if any. */
      readonly kept: Quota | undefined;
    };

export interface RecordedProblems {
  readonly problems: readonly QuotaProblem[];
  /** The rejected document's version, when readable. */
  readonly version: number | undefined;
}

export class QuotaBook {
  readonly #quotas = new Map<TenantId, Quota>();
  readonly #problems = new Map<TenantId, RecordedProblems>();

  /** Validates and applies one document read from the store. */
  apply(doc: unknown): QuotaApplyOutcome {
    const parsed = parseQuota(doc);
    if (!parsed.ok) {
      const { tenantId, problems } = parsed;
      if (tenantId !== undefined) this.#problems.set(tenantId, { problems, version: readVersion(doc) });
      return {
        kind: "rejected",
        tenantId,
        problems,
        kept: tenantId === undefined ? undefined : this.#quotas.get(tenantId),
      };
    }
    const { quota } = parsed;
    const previous = this.#quotas.get(quota.tenantId);
    if (previous !== undefined && quota.version < previous.version) {
      return { kind: "stale", tenantId: quota.tenantId, version: quota.version, current: previous.version };
    }
    this.#quotas.set(quota.tenantId, quota);
    this.#problems.delete(quota.tenantId);
    return { kind: "applied", quota, previous };
  }

  /** The tenant's document was deleted: it is no longer schedulable. */
  remove(tenantId: TenantId): boolean {
    this.#problems.delete(tenantId);
    return this.#quotas.delete(tenantId);
  }

  /** The quota that applies now, or undefined if the tenant never had a valid document. */
  get(tenantId: TenantId): Quota | undefined {
    return this.#quotas.get(tenantId);
  }

  isSchedulable(tenantId: TenantId): boolean {
    return this.#quotas.has(tenantId);
  }

  /** Problems of the tenant's latest rejected document, until a valid one arrives. */
  problemsOf(tenantId: TenantId): RecordedProblems | undefined {
    return this.#problems.get(tenantId);
  }

  /** Tenants whose latest document was rejected, with whether an older valid quota still applies. */
  rejected(): { tenantId: TenantId; problems: RecordedProblems; hasValidQuota: boolean }[] {
    return [...this.#problems].map(([tenantId, problems]) => ({
      tenantId,
      problems,
      hasValidQuota: this.#quotas.has(tenantId),
    }));
  }

  /** Every schedulable tenant's quota (a copy; later applies do not change it). */
  quotas(): ReadonlyMap<TenantId, Quota> {
    return new Map(this.#quotas);
  }
}

function readVersion(doc: unknown): number | undefined {
  if (typeof doc !== "object" || doc === null) return undefined;
  const version = (doc as Record<string, unknown>)["version"];
  return typeof version === "number" && Number.isInteger(version) ? version : undefined;
}
