/**
 * Names of the MongoDB collections that hold tenant data. Every tenant-scoped collection is reached
 * through `scopedCollection` (shared/tenancy/scoped-collection.ts) by one of these names; no module
 * spells a collection name as a string literal of its own.
 */
export const COLLECTIONS = {
  /** One document per job (shared/jobs/job-doc.ts), keyed by job id, carrying `tenantId`. */
  jobs: "jobs",
  /** Tenant records and quotas. */
  tenants: "tenants",
  /** Per-tenant usage counters (running jobs, rate tokens). */
  usage: "usage",
} as const;

export type CollectionName = (typeof COLLECTIONS)[keyof typeof COLLECTIONS];

/** Default name of the database that holds every `shared`-tier tenant's data. */
export const SHARED_DB_NAME = "sluice";
