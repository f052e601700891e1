/**
 * A tick's intake I/O for one tenant, by the status of its quota (see `fair-scheduler.ts`): active →
 * keep its visibility, refresh the depth estimate (rate-limited) and top the buffer up; paused → the
 * same without the top-up (held) unless it has a `maxQueued`; either way messages sent while the
 * tenant was at or over `maxQueued` go to the intake DLQ (`queue_full`, `quota/queue-limit.ts`); suspended → receive and reject to the intake DLQ with the reason;
 * never a valid quota → hold nothing, keep the depth for the summary. A failure skips the tenant for
 * this tick only.
 */
import type { Logger } from "pino";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { TenantQueues } from "../intake/release-message.ts";
import type { Rejecter } from "../intake/reject.ts";
import { admit, queueFullReason } from "../quota/admission.ts";
import type { Quota } from "../quota/schema.ts";
import type { ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import type { IntakeLanes, TenantLane } from "./intake-lanes.ts";
import type { SchedulerMetrics } from "./metrics.ts";

export interface LaneIoContext {
  readonly reject: Rejecter;
  readonly lanes: IntakeLanes;
  readonly metrics: SchedulerMetrics;
  readonly log: Logger;
}

/** The tick's I/O for a tenant with a valid quota; never throws. */
export function prepareLane(ctx: LaneIoContext, lane: TenantLane, quota: Quota): Promise<void> {
  return prepare(ctx, lane, quota).catch((e: unknown) => laneError(ctx, lane.tenantId, e));
}

/** The tick's I/O for a tenant that never had a valid quota; never throws. */
export function holdWithoutQuota(ctx: LaneIoContext, lane: TenantLane): Promise<void> {
  return hold(ctx, lane).catch((e: unknown) => laneError(ctx, lane.tenantId, e));
}

async function prepare(ctx: LaneIoContext, lane: TenantLane, quota: Quota): Promise<void> {
  if (!(await ctx.lanes.resolve(lane))) return;
  await ctx.lanes.extendExpiring(lane);
  if (quota.status === "suspended") return rejectSuspended(ctx, lane, quota);
  await ctx.lanes.refreshDepth(lane);
  ctx.lanes.observeLimit(lane, quota.maxQueued);
  if (quota.status === "active" || quota.maxQueued !== undefined) await ctx.lanes.refill(lane);
  await rejectOverLimit(ctx, lane, quota);
}

/** Messages sent while the tenant was at or over `maxQueued` go to the intake DLQ (`queue_full`). */
async function rejectOverLimit(ctx: LaneIoContext, lane: TenantLane, quota: Quota): Promise<void> {
  if (lane.overLimit.length === 0) return;
  const reason = queueFullReason(quota.maxQueued ?? 0);
  const count = lane.overLimit.length;
  while (lane.overLimit.length > 0) {
    await ctx.reject(
      lane.tenantId,
      lane.queues as TenantQueues,
      lane.overLimit[0] as ReceivedMessage,
      reason,
    );
    lane.overLimit.shift();
    ctx.metrics.counters(lane.tenantId).rejected += 1;
  }
  ctx.log.warn(
    { tenantId: lane.tenantId, count, maxQueued: quota.maxQueued },
    "intake messages rejected: queue full",
  );
}

/** Suspended: buffered and new messages go to the intake DLQ with the suspension reason. */
async function rejectSuspended(ctx: LaneIoContext, lane: TenantLane, quota: Quota): Promise<void> {
  const verdict = admit(quota, 0);
  const reason = verdict.ok ? "tenant suspended" : verdict.message;
  const messages = [
    ...lane.buffer.drain().map((e) => e.message),
    ...lane.overLimit.splice(0),
    ...(await ctx.lanes.receiveRaw(lane)),
  ];
  lane.unbuffered = 0;
  for (const m of messages) {
    await ctx.reject(lane.tenantId, lane.queues as TenantQueues, m, reason);
    ctx.metrics.counters(lane.tenantId).rejected += 1;
  }
  if (messages.length > 0)
    ctx.log.warn(
      { tenantId: lane.tenantId, count: messages.length, reason },
      "intake messages rejected: tenant suspended",
    );
}

/** Never had a valid quota: receive nothing, give back anything held, keep the depth for the summary. */
async function hold(ctx: LaneIoContext, lane: TenantLane): Promise<void> {
  if (!(await ctx.lanes.resolve(lane))) return;
  await ctx.lanes.returnAll(lane);
  await ctx.lanes.refreshDepth(lane);
}

/** One tenant's intake I/O failing (e.g. its queue was deleted) must not stall the others. */
function laneError(ctx: LaneIoContext, tenant: TenantId, err: unknown): void {
  ctx.log.warn({ err, tenantId: tenant }, "intake queue I/O failed; the tenant is skipped this tick");
  const lane = ctx.lanes.get(tenant);
  if (lane !== undefined) lane.queues = undefined; // resolve the URL again (rate-limited) next tick
}
