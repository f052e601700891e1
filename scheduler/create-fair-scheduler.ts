import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Runtime } from "../shared/runtime/runtime.ts";
import { createLongPollClient } from "../shared/aws/long-poll-client.ts";
import { tenantsCollection } from "../shared/fleet/tenants-collection.ts";
import type { WorkflowCatalog } from "../shared/workflows/catalog.ts";
import { createRejecter } from "./intake/reject.ts";
import { failingSubmittedJobs } from "./intake/submitted-job-rejection.ts";
import { createWorkflowVersions } from "../shared/workflows/versions.ts";
import { releaseMessage } from "./intake/release-message.ts";
import { FairScheduler } from "./loop/fair-scheduler.ts";
import type { FairSchedulerOptions } from "./loop/fair-scheduler.ts";
import { SchedulerMetrics } from "./loop/metrics.ts";
import { StatsPublisher } from "./loop/stats-publisher.ts";
import type { ReleaseEvent } from "./loop/metrics.ts";
import { UsageLedger } from "../shared/usage/ledger.ts";
import { FleetCapacity } from "./store/capacity.ts";
import { ensureIndexes } from "../shared/mongo/indexes.ts";
import { QuotaSource } from "./store/quota-source.ts";
import { TenantStatsStore } from "./store/tenant-stats.ts";
import { UsageStore } from "../shared/usage/usage-store.ts";
import { MongoLeaseStore } from "./shards/lease-store.ts";
import { TenantOwnership } from "./shards/tenant-ownership.ts";
import { ClaimExchange } from "./shards/claim-exchange.ts";
import { MongoClaimStore } from "./shards/claim-store.ts";
import type { OwnershipOptions } from "./shards/tenant-ownership.ts";

export interface CreateFairSchedulerOptions {
  /** Clock of every decision (quota reads, rate limits, queue waits); default `Date.now`. */
  readonly now?: () => number;
  /** How often `tenants` is polled for quota edits; default 500 ms (edits apply within ~0.5 s). */
  readonly quotaPollIntervalMs?: number;
  /**
   * Loop options; `intervalMs`, `busyIntervalMs` and `releaseLead` default to the config's
   * `SLUICE_SCHEDULER_INTERVAL_MS`, `SLUICE_SCHEDULER_BUSY_INTERVAL_MS` and `SLUICE_SCHEDULER_RELEASE_LEAD`.
   */
  readonly loop?: Partial<FairSchedulerOptions>;
  /** Called for every release (timelines for benchmarks). */
  readonly onRelease?: (e: ReleaseEvent) => void;
  /** A worker whose heartbeat is older than this stops counting; default 15 s. */
  readonly workerStaleAfterMs?: number;
  /**
   * This replica's id: owner of its tenant leases and name of its `scheduler_stats` documents; default
   * the config's `SLUICE_SCHEDULER_ID`, else `<hostname>:<pid>:<random>`.
   */
  readonly schedulerId?: string;
  /** Tenant ownership across replicas (ADR 0024); defaults from the config's lease settings. */
  readonly ownership?: Partial<OwnershipOptions>;
  /**
   * Asked before a workflow is refused as unknown or invalid: re-reads the step names the fleet's
   * workers publish and reloads the workflows if they changed; true when it did (the workflow is
   * then checked again). See `FleetStepCatalog`.
   */
  readonly refreshCatalog?: () => Promise<boolean>;
}

/**
 * The fair-share scheduler over a runtime: quotas polled from `tenants`, running counters in `usage`,
 * worker slots from heartbeats (`workers`), the usage ledger, and `releaseMessage` for each release.
 * Call `start()` / `stop()`; `tick()`, `maintain()` and `metrics` are public.
 */
export function createFairScheduler(
  rt: Runtime,
  catalog: WorkflowCatalog | (() => WorkflowCatalog),
  options: CreateFairSchedulerOptions = {},
): FairScheduler {
  const now = options.now ?? Date.now;
  const db = rt.fleetDb;
  const log = rt.log.child({ component: "scheduler" });
  const quotas = new QuotaSource(tenantsCollection(db), {
    now,
    log,
    pollIntervalMs: options.quotaPollIntervalMs ?? 500,
  });
  const usage = new UsageStore(rt.router, { now, log });
  const capacity = new FleetCapacity(db, { staleAfterMs: options.workerStaleAfterMs ?? 15_000 });
  const ledger = new UsageLedger(rt.router, usage, { now, log });
  const workflows = createWorkflowVersions(rt, catalog, now);
  const workflowVersion = async (name: string) => {
    const check = await workflows.current(name);
    if (check.ok || !options.refreshCatalog || !(await options.refreshCatalog())) return check;
    return workflows.current(name);
  };
  const reject = failingSubmittedJobs(createRejecter({ sqs: rt.sqs, blobs: rt.blobs }), {
    jobsOf: (t) => rt.jobsOf(t),
    now,
    log,
  });
  const schedulerId =
    options.schedulerId ??
    rt.config.scheduler.id ??
    `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const ownership = new TenantOwnership(
    {
      store: new MongoLeaseStore(db),
      replicaId: schedulerId,
      now,
      log,
      claims: new ClaimExchange({ store: new MongoClaimStore(db), replicaId: schedulerId, log }),
    },
    { leaseMs: rt.config.scheduler.leaseMs, renewMs: rt.config.scheduler.renewMs, ...options.ownership },
  );
  const stats = new StatsPublisher({
    schedulerId,
    store: new TenantStatsStore(db),
    now,
    log,
  });
  const loop = options.loop ?? {};
  const longPollSeconds = loop.intake?.longPollSeconds ?? rt.config.scheduler.longPollSeconds;
  // Idle tenants' long polls get a client of their own, sized for one open request per tenant.
  const longPoll =
    longPollSeconds > 0
      ? createLongPollClient(rt.config.aws, {
          maxSockets: rt.config.scheduler.intakeMaxSockets,
          waitSeconds: longPollSeconds,
        })
      : undefined;
  return new FairScheduler(
    {
      sqs: rt.sqs,
      ...(longPoll !== undefined ? { longPoll } : {}),
      workQueueUrl: rt.queues.work,
      intakeQueues: (t) => rt.queues.intake(t),
      quotas,
      usage,
      capacity,
      ledger,
      release: (tenant, queues, message) =>
        releaseMessage(
          {
            sqs: rt.sqs,
            workQueueUrl: rt.queues.work,
            jobs: rt.jobsOf(tenant),
            reject,
            workflowVersion,
            now,
            log,
            tracing: rt.tracing,
          },
          tenant,
          queues,
          message,
        ),
      reject,
      now,
      log,
      setup: async () => void (await ensureIndexes(db)),
      stats,
      ownership,
    },
    {
      intervalMs: rt.config.scheduler.intervalMs,
      busyIntervalMs: rt.config.scheduler.busyIntervalMs,
      releaseLead: rt.config.scheduler.releaseLead,
      ...loop,
      intake: {
        visibilitySeconds: rt.config.scheduler.intakeVisibilitySeconds,
        ...loop.intake,
        longPollSeconds,
      },
    },
    new SchedulerMetrics(options.onRelease !== undefined ? { onRelease: options.onRelease } : {}),
  );
}
