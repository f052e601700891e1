/**
 * The API's view of tenant documents: one `findOne({tenantId})` per tenant per `ttlMs`, validated
 * exactly as the scheduler validates them (the quota schema through a `QuotaBook`: an invalid edit
 * leaves the last valid document applying; a stale read is ignored). Concurrent lookups of one
 * tenant share one read. A read that fails keeps serving the last document read, if any; otherwise
 * the error propagates (the edge answers 503).
 *
 * The `tenants` collection is fleet-level (one document per tenant, in the shared database); this
 * module only reads it.
 */
import type { Collection, Document } from "mongodb";
import type { Logger } from "pino";
import { QuotaBook } from "../../scheduler/quota/book.ts";
import type { Quota, QuotaProblem } from "../../scheduler/quota/schema.ts";
import { normalizeQuotaDoc } from "../../scheduler/store/quota-doc.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export type TenantLookup =
  | { readonly kind: "found"; readonly quota: Quota }
  | { readonly kind: "unknown" }
  | { readonly kind: "invalid"; readonly problems: readonly QuotaProblem[] };

export interface TenantDirectory {
  lookup(tenant: TenantId): Promise<TenantLookup>;
  /** Forgets the cached document (the next lookup reads it). */
  invalidate(tenant: TenantId): void;
}

export interface TenantDirectoryOptions {
  readonly ttlMs: number;
  readonly now: () => number;
  readonly log: Logger;
}

interface Entry {
  readonly at: number;
  readonly lookup: TenantLookup;
}

export function createTenantDirectory(
  tenants: Collection<Document>,
  opts: TenantDirectoryOptions,
): TenantDirectory {
  const book = new QuotaBook();
  const cache = new Map<TenantId, Entry>();
  const inFlight = new Map<TenantId, Promise<TenantLookup>>();
  const log = opts.log.child({ component: "tenant-directory" });

  const read = async (tenant: TenantId): Promise<TenantLookup> => {
    let raw: Document | null;
    try {
      raw = await tenants.findOne({ tenantId: tenant });
    } catch (err) {
      const last = cache.get(tenant);
      if (last === undefined) throw err;
      log.warn({ err, tenantId: tenant }, "tenant document read failed; using the last one read");
      return last.lookup;
    }
    const lookup = apply(book, tenant, raw);
    if (lookup.kind === "invalid") {
      log.warn({ tenantId: tenant, problems: lookup.problems }, "tenant document invalid");
    }
    cache.set(tenant, { at: opts.now(), lookup });
    return lookup;
  };

  return {
    lookup(tenant) {
      const hit = cache.get(tenant);
      if (hit !== undefined && opts.now() - hit.at < opts.ttlMs) return Promise.resolve(hit.lookup);
      let p = inFlight.get(tenant);
      if (p === undefined) {
        p = read(tenant).finally(() => inFlight.delete(tenant));
        inFlight.set(tenant, p);
      }
      return p;
    },
    invalidate(tenant) {
      cache.delete(tenant);
    },
  };
}

/** One document read into the book: what applies to the tenant now. Pure apart from the book. */
export function apply(book: QuotaBook, tenant: TenantId, raw: Document | null): TenantLookup {
  if (raw === null) {
    book.remove(tenant);
    return { kind: "unknown" };
  }
  const outcome = book.apply(normalizeQuotaDoc(raw));
  switch (outcome.kind) {
    case "applied":
      return { kind: "found", quota: outcome.quota };
    case "stale": {
      const current = book.get(tenant);
      return current !== undefined ? { kind: "found", quota: current } : { kind: "unknown" };
    }
    case "rejected":
      return outcome.kept !== undefined
        ? { kind: "found", quota: outcome.kept }
        : { kind: "invalid", problems: outcome.problems };
  }
}
