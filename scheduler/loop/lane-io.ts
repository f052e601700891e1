/**
 * A tick's intake I/O for one tenant, by the status of its quota (see `fair-scheduler.ts`): active →
 * keep its visibility, refresh the depth estimate (rate-limited) and top the buffer up while it is
 * backlogged, then let it go idle (watched by a long poll, no tick I/O) once it drains
 * (`IntakeLanes.settle`, ADR 0023); paused → no long poll, the depth kept, no top-up (held) unless it
 * has a `maxQueued`; either way messages sent while the tenant was at or over `maxQueued` go to the
 * intake DLQ (`queue_full`, `quota/queue-limit.ts`); suspended → what arrives (long poll, or short
 * receives while the queue holds more) is rejected to the intake DLQ with the reason; never a valid
 * quota → hold nothing, keep the depth for the summary. A failure skips the tenant for a per-lane
 * backoff (500 ms doubling to 30 s); other tenants are not affected.
 */
import type { Logger } from "pino";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { TenantQueues } from "../intake/release-message.ts";
import type { Rejecter } from "../intake/reject.ts";
import { admit, queueFullReason } from "../quota/admission.ts";
import type { Quota } from "../quota/schema.ts";
import type { ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import type { IntakeLanes, TenantLane } from "./intake-lanes.ts";
import { pollBackoffMs } from "./long-poll.ts";
import type { SchedulerMetrics } from "./metrics.ts";

export interface LaneIoContext {
  readonly reject: Rejecter;
  readonly lanes: IntakeLanes;
  readonly metrics: SchedulerMetrics;
  readonly log: Logger;
  readonly now: () => number;
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
  if (quota.status === "paused") ctx.lanes.letGo(lane); // held: no receive
  if (lane.mode === "backlogged") await ctx.lanes.refreshDepth(lane);
  ctx.lanes.observeLimit(lane, quota.maxQueued);
  if (lane.mode === "backlogged" && (quota.status === "active" || quota.maxQueued !== undefined))
    await ctx.lanes.refill(lane);
  await rejectOverLimit(ctx, lane, quota);
  if (quota.status === "active") ctx.lanes.settle(lane);
  lane.ioFailures = 0;
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
  const received = lane.mode === "backlogged" ? await ctx.lanes.receiveRaw(lane) : [];
  const messages = [...lane.buffer.drain().map((e) => e.message), ...lane.overLimit.splice(0), ...received];
  lane.unbuffered = 0;
  ctx.lanes.settle(lane);
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
  const lane = ctx.lanes.get(tenant);
  if (lane === undefined) return;
  lane.ioFailures += 1;
  const backoffMs = pollBackoffMs(lane.ioFailures);
  lane.ioRetryAt = ctx.now() + backoffMs;
  const e = err as { name?: string; code?: string; message?: string };
  ctx.log.warn(
    { err: { name: e.name, code: e.code, message: e.message }, tenantId: tenant, backoffMs },
    "intake queue I/O failed; the tenant is skipped for a backoff",
  );
  lane.queues = undefined; // resolve the URL again (rate-limited) after the backoff
}
