/**
 * What a `FairScheduler` is made of (`fair-scheduler.ts`): its ports, its options with their
 * defaults, and the report each tick returns.
 */
import type { Logger } from "pino";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { Rejecter } from "../intake/reject.ts";
import type { ReleaseOutcome, TenantQueues } from "../intake/release-message.ts";
import type { QuotaBook } from "../quota/book.ts";
import type { FleetView } from "../store/capacity.ts";
import type { AcquireResult, ReconcileResult, UsageSnapshot } from "../../shared/usage/usage-store.ts";
import type { IntakeLaneOptions } from "./intake-lanes.ts";
import type { BufferedMessage } from "./intake-buffer.ts";
import type { StatsPublisher } from "./stats-publisher.ts";
import type { AcquiredOutcome } from "../../shared/usage/ledger.ts";
import type { TenantOwnership } from "../shards/tenant-ownership.ts";

/** Function-shaped ports; `create-fair-scheduler.ts` wires the real ones, unit tests fakes. */
export interface FairSchedulerDeps {
  readonly sqs: SqsPort;
  readonly workQueueUrl: string;
  readonly intakeQueues: (tenant: TenantId) => Promise<TenantQueues>;
  /** Live quotas; `start`/`stop` (a `QuotaSource`) are called by the scheduler's own start/stop. */
  readonly quotas: { readonly book: QuotaBook; start?(): Promise<void>; stop?(): Promise<void> };
  readonly usage: {
    tryAcquire(tenant: TenantId, cap: number, limits?: { dailyQuota?: number }): Promise<AcquireResult>;
    release(tenant: TenantId, options?: { refundDaily?: boolean }): Promise<boolean>;
    readAll(): Promise<Map<TenantId, UsageSnapshot>>;
    reconcileAll(tenants: Iterable<TenantId>): Promise<Map<TenantId, ReconcileResult>>;
  };
  readonly capacity: { view(now: number): Promise<FleetView>; prune?(now: number): Promise<number> };
  readonly ledger: {
    recordAcquired(tenant: TenantId, jobId: string): Promise<AcquiredOutcome>;
    prune?(retentionMs: number): Promise<number>;
  };
  /** Releases one message (`releaseMessage` with the tenant's job store bound). */
  readonly release: (
    tenant: TenantId,
    queues: TenantQueues,
    message: BufferedMessage["message"],
  ) => Promise<ReleaseOutcome>;
  /**
   * Moves an intake message to its queue's DLQ with a reason (`rejectToDlq` with its ports bound):
   * a suspended tenant's messages, messages over `maxQueued`, and messages whose release kept failing.
   */
  readonly reject: Rejecter;
  readonly now: () => number;
  readonly log: Logger;
  /** Run once by `start()` before the first tick (e.g. creating indexes). */
  readonly setup?: () => Promise<void>;
  /** Publishes per-tenant stats with each summary (`stats-publisher.ts`, read by `tenants list`). */
  readonly stats?: Pick<StatsPublisher, "publish">;
  /**
   * The SQS client for idle tenants' long polls (one open request per idle tenant: its HTTP agent is
   * sized for that, `shared/aws/long-poll-client.ts`); `close` is called by `stop()`. Default: `sqs`.
   */
  readonly longPoll?: { readonly sqs: SqsPort; close?(): void };
  /**
   * Which tenants this replica serves and its share of the free slots (`scheduler/shards/`, ADR 0024);
   * absent: every tenant and every free slot (a lone scheduler without leases, as in unit tests).
   */
  readonly ownership?: Pick<
    TenantOwnership,
    "syncIfDue" | "owns" | "budget" | "publishClaims" | "peerClaims" | "releaseAll" | "options"
  >;
}

export interface FairSchedulerOptions {
  /** Pause after a tick with nothing to release (capped by the next rate-limit wake-up); default 200 ms. */
  readonly intervalMs: number;
  /**
   * Pause after a tick that released nothing while work waited only for a slot (its tenant at its cap,
   * or no free slot): the next tick is the one that sees a job rest; default 25 ms.
   */
  readonly busyIntervalMs: number;
  /**
   * Released jobs allowed to wait on the work queue beyond the free slots, so a slot that frees finds
   * work at once (see ADR 0002); undefined: a quarter of the live slots, at least 1. 0 disables it.
   */
  readonly releaseLead?: number | undefined;
  /** Tenants whose intake I/O runs at once within a tick; default 16. */
  readonly intakeConcurrency: number;
  /**
   * Longest a tick waits for its tenants' intake I/O before deciding with what it has; default 1000 ms.
   * A lane whose I/O is still running is left to finish on its own (used by a later tick).
   */
  readonly laneIoWaitMs: number;
  /** Least time between reads of the workers' heartbeats; default 500 ms. */
  readonly fleetRefreshMs: number;
  /** Least time between reads of the work queue's depth (the guard); default 500 ms. */
  readonly workDepthRefreshMs: number;
  /** Releases stop while the work queue holds this many messages; default 100. */
  readonly maxWorkQueueDepth: number;
  /** Releases in flight at once within a tick; default 16. */
  readonly releaseConcurrency: number;
  /** `maintain()` period (reconcile, prune, summary log); default 5 s. */
  readonly maintenanceIntervalMs: number;
  /** Per-tenant summary log period; default 10 s. */
  readonly summaryIntervalMs: number;
  readonly ledgerRetentionMs: number;
  /**
   * Longest a quiet tenant (no backlog, nothing running or parked) goes without a reconcile of its
   * counters; hot tenants are reconciled every `maintenanceIntervalMs` (`reconcile-selection.ts`).
   * Default 60 s; at or below `maintenanceIntervalMs`, every tenant every round.
   */
  readonly quietReconcileMs: number;
  /** See `decide()`; default 8. */
  readonly priorityAging?: number;
  readonly intake: Partial<IntakeLaneOptions>;
}

export const FAIR_SCHEDULER_DEFAULTS: FairSchedulerOptions = {
  intervalMs: 200,
  busyIntervalMs: 25,
  intakeConcurrency: 16,
  laneIoWaitMs: 1_000,
  fleetRefreshMs: 500,
  workDepthRefreshMs: 500,
  maxWorkQueueDepth: 100,
  releaseConcurrency: 16,
  maintenanceIntervalMs: 5_000,
  summaryIntervalMs: 10_000,
  ledgerRetentionMs: 6 * 3_600_000,
  quietReconcileMs: 60_000,
  intake: {},
};

export interface TickReport {
  readonly at: number;
  readonly freeSlots: number;
  readonly liveSlots: number;
  /** The release lead included in `freeSlots`. */
  readonly lead: number;
  readonly decided: number;
  readonly released: number;
  readonly rejected: number;
  readonly duplicates: number;
  /** Acquisitions refused by the store (another scheduler took the last slot, or the daily quota). */
  readonly refused: number;
  /** Decided releases that found no message (the backlog estimate was stale). */
  readonly empty: number;
  readonly errors: number;
  /** Total backlog seen, over tenants with a valid quota. */
  readonly backlog: number;
  /** Backlog of tenants that got nothing only for want of a slot (no free slot, or at their cap). */
  readonly waitingForSlots: number;
  readonly wakeAt: number | undefined;
  /** How long the tick took (ms, scheduler clock). */
  readonly durationMs: number;
  /** Tenants this replica served in this tick (all of them without `ownership`). */
  readonly owned: number;
}
