/** Every MongoDB collection name, in one place. */
export const COLLECTIONS = {
  /** One document per job: status, execution state, lease, version (CAS). */
  jobs: "jobs",
  /** One quota document per tenant (weight, caps, rate, status). */
  tenants: "tenants",
  /** Live per-tenant counters (running jobs), updated with atomic conditional increments. */
  usage: "usage",
  /** One heartbeat document per worker process `{ workerId, slots, busy, at }` (fleet-level, not tenant data). */
  workers: "workers",
  /** One heartbeat document per running sweeper `{ sweeperId, at, lastTickAt }` (fleet-level, not tenant data). */
  sweepers: "sweepers",
  /** One document per released job: which of scheduler and worker accounted for its slot. */
  usageLedger: "usage_ledger",
  /** Per-(scheduler, tenant) released and throttled counts over the last summary interval (fleet-level). */
  schedulerStats: "scheduler_stats",
  /** LLM tokens per tenant per UTC month `{ _id: "<tenant>:<YYYY-MM>", tenantId, month, tokens, calls }`. */
  llmUsage: "llm_usage",
  /** Every workflow definition a job was created or started on, by content hash (fleet-level, never deleted). */
  workflowVersions: "workflow_versions",
  /** Operator and API actions, append-only (fleet-level: survives moves and offboarding; shared/audit/audit-log.ts). */
  audit: "audit",
  /** Tenant moves between homes in progress or done, one per tenant (fleet-level; shared/moves/). */
  tenantMoves: "tenant_moves",
  /**
   * Scheduler replicas' tenant ownership (fleet-level): one lease per tenant `{ owner, expiresAt, fence }`
   * and one heartbeat per replica `{ replicaId, expiresAt, weight }` (`scheduler/shards/lease-store.ts`).
   */
  schedulerLeases: "scheduler_leases",
  /**
   * Scheduler replicas' slot claims (fleet-level): one document per replica with, per tenant it owns
   * that could take a release, how many jobs it could start (`scheduler/shards/claim-store.ts`, ADR 0029).
   */
  schedulerClaims: "scheduler_claims",
  /** One heartbeat per API process `{ _id: replicaId, at }`: each divides the tenants' edge rates by the live count. */
  apiReplicas: "api_replicas",
} as const;

export type CollectionKey = keyof typeof COLLECTIONS;

/**
 * Every collection holding one tenant's data (in its home: the shared database or its dedicated
 * one). A tenant move copies exactly these, offboarding deletes exactly these: a new tenant-data
 * collection must be added here.
 */
export const TENANT_DATA_COLLECTIONS = [
  COLLECTIONS.jobs,
  COLLECTIONS.usage,
  COLLECTIONS.usageLedger,
  COLLECTIONS.llmUsage,
] as const;
export type CollectionName = (typeof COLLECTIONS)[CollectionKey];

/** Default name of the database that holds every `shared`-tier tenant's data. */
export const SHARED_DB_NAME = "sluice";
