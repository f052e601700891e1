import pLimit from "p-limit";
import type { Logger } from "pino";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { Release } from "../fairshare/decide.ts";
import type { ReleaseOutcome, TenantQueues } from "../intake/release-message.ts";
import type { Quota } from "../quota/schema.ts";
import type { FairSchedulerDeps } from "./fair-scheduler.ts";
import type { BufferedMessage } from "./intake-buffer.ts";
import type { IntakeLanes, TenantLane } from "./intake-lanes.ts";
import { afterFailedRelease } from "./release-failure.ts";
import type { SchedulerMetrics } from "./metrics.ts";

/** What executing one decision's releases needs (the loop's ports, lanes and metrics). */
export interface ReleaseContext {
  readonly usage: FairSchedulerDeps["usage"];
  readonly ledger: FairSchedulerDeps["ledger"];
  readonly release: FairSchedulerDeps["release"];
  readonly reject: FairSchedulerDeps["reject"];
  readonly now: () => number;
  readonly log: Logger;
  readonly lanes: IntakeLanes;
  readonly metrics: SchedulerMetrics;
  /** Releases in flight at once. */
  readonly concurrency: number;
  /**
   * Asked before each release: false when this replica can no longer prove it owns the tenant's lease
   * (ADR 0024); the message stays buffered and the lane stops at the next tick. Absent: always true.
   */
  readonly owns?: (tenant: TenantId) => boolean;
}

export interface ReleaseCounts {
  released: number;
  rejected: number;
  duplicates: number;
  refused: number;
  empty: number;
  errors: number;
}

/**
 * Carries out a decision: receives more messages for tenants whose buffer is short of their releases,
 * then per release takes a buffered message (of the decided priority if there is one), takes the
 * tenant's slot atomically (`tryAcquire`; a refusal ends the tenant's releases for this tick and keeps
 * the message buffered), releases it, and records the acquisition in the usage ledger. A rejection or
 * duplicate gives the slot back (with today's daily count); so does a failure before the job was
 * released (no work message sent), after which the message moves behind the tenant's other buffered
 * messages for a later tick, or to the DLQ once it has failed unexpectedly too often
 * (`release-failure.ts`). Once the work message is out the job holds the slot, even if the intake
 * delete then fails (`releaseMessage` reports that as released; the redelivered message is a
 * duplicate, or a repeat the ledger refunds).
 */
export async function executeReleases(
  ctx: ReleaseContext,
  releases: readonly Release[],
  quotas: ReadonlyMap<TenantId, Quota>,
): Promise<ReleaseCounts> {
  const out = { released: 0, rejected: 0, duplicates: 0, refused: 0, empty: 0, errors: 0 };
  const perTenant = new Map<TenantId, number>();
  for (const r of releases) perTenant.set(r.tenantId, (perTenant.get(r.tenantId) ?? 0) + 1);
  await Promise.all(
    [...perTenant].map(async ([t, n]) => {
      const lane = ctx.lanes.lane(t);
      // Not while the lane's own I/O is still running (a slow queue must not hold up the batch).
      if (lane.buffer.size < n && lane.io === undefined)
        await ctx.lanes
          .fill(lane, n)
          .catch((err: unknown) => ctx.log.warn({ err, tenantId: t }, "intake receive failed"));
    }),
  );
  const refusedTenants = new Set<TenantId>();
  const limit = pLimit(Math.max(1, ctx.concurrency));
  await Promise.all(
    releases.map((r) =>
      limit(async () => {
        const lane = ctx.lanes.lane(r.tenantId);
        const quota = quotas.get(r.tenantId) as Quota;
        if (refusedTenants.has(r.tenantId) || lane.queues === undefined) return;
        if (ctx.owns !== undefined && !ctx.owns(r.tenantId)) return void refusedTenants.add(r.tenantId);
        const entry = lane.buffer.take(r.priority);
        if (entry === undefined) return void (out.empty += 1);
        const kind = await releaseOne(ctx, lane, quota, entry).catch((err: unknown) =>
          afterFailedRelease(ctx, lane, entry, err),
        );
        if (kind === "refused") {
          refusedTenants.add(r.tenantId);
          lane.buffer.putBack(entry);
        }
        if (kind === "error") out.errors += 1;
        else out[kind === "duplicate" ? "duplicates" : kind] += 1;
      }),
    ),
  );
  return out;
}

async function releaseOne(
  ctx: ReleaseContext,
  lane: TenantLane,
  quota: Quota,
  entry: BufferedMessage,
): Promise<"released" | "rejected" | "duplicate" | "refused"> {
  const t = lane.tenantId;
  const acquired = await ctx.usage.tryAcquire(t, quota.maxConcurrency, {
    ...(quota.dailyJobQuota !== undefined ? { dailyQuota: quota.dailyJobQuota } : {}),
  });
  if (!acquired.ok) {
    ctx.metrics.throttled(t, acquired.reason);
    return "refused";
  }
  let outcome: ReleaseOutcome;
  try {
    outcome = await ctx.release(t, lane.queues as TenantQueues, entry.message);
  } catch (err) {
    // Nothing was released (releaseMessage reports a failed delete after the send as released): the
    // message is still on its queue, retried at a later tick, which is safe (job creation is
    // idempotent on the key), or dead-lettered (`afterFailedRelease`). Its slot is not held meanwhile.
    await ctx.usage.release(t, { refundDaily: true }).catch(() => undefined);
    throw err;
  }
  const c = ctx.metrics.counters(t);
  if (outcome.kind !== "released") {
    await ctx.usage.release(t, { refundDaily: true });
    if (outcome.kind === "rejected") c.rejected += 1;
    else c.duplicates += 1;
    return outcome.kind;
  }
  const at = ctx.now();
  ctx.metrics.released({
    tenantId: t,
    jobId: outcome.jobId,
    priority: entry.priority,
    at,
    waitMs: at - entry.message.sentAt,
  });
  await ctx.ledger.recordAcquired(t, outcome.jobId);
  return "released";
}
