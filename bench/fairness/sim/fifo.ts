import { PRIORITIES } from "../../../scheduler/quota/priority.ts";
import type { Priority } from "../../../scheduler/quota/priority.ts";
import type { TenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { Release } from "../../../scheduler/fairshare/decide.ts";
import { MinHeap } from "../../../scheduler/fairshare/heap.ts";
import type { Policy } from "../../../scheduler/fairshare/policy.ts";
import { fullBucket, hasToken, refill, take } from "../../../scheduler/fairshare/token-bucket.ts";
import type { TokenBucket } from "../../../scheduler/fairshare/token-bucket.ts";

/**
 * Baseline for comparison: one global FIFO by arrival time across all tenants and priorities, as a
 * single shared queue would behave. It honours status, caps, rate limits and daily quotas (a tenant
 * that cannot take work is skipped, not waited for), so it differs from fair share only in *who goes
 * next*: whoever has the oldest job. A flood therefore delays everyone queued behind it.
 */
export function fifoPolicy(): Policy {
  const buckets = new Map<TenantId, TokenBucket>();
  return {
    name: "fifo",
    decide(input) {
      interface Head {
        tenantId: TenantId;
        priority: Priority;
        taken: number;
        arrival: number;
      }
      const lanes = new Map<TenantId, { busy: number; dailyLeft: number }>();
      const heads: Head[] = [];
      for (const t of input.tenants) {
        const q = t.quota;
        if (q?.rate !== undefined) {
          const prev = buckets.get(t.tenantId);
          buckets.set(t.tenantId, prev ? refill(prev, q.rate, input.now) : fullBucket(q.rate, input.now));
        } else buckets.delete(t.tenantId);
        if (q === undefined || q.status !== "active") continue;
        const dailyLeft = q.dailyJobQuota === undefined ? Infinity : q.dailyJobQuota - (t.releasedToday ?? 0);
        lanes.set(t.tenantId, { busy: t.running, dailyLeft });
        for (const priority of PRIORITIES) {
          const arrival = input.queuedArrival(t.tenantId, priority, 0);
          if (arrival !== undefined && t.backlog[priority] > 0)
            heads.push({ tenantId: t.tenantId, priority, taken: 0, arrival });
        }
      }
      const heap = new MinHeap<Head>(
        (a, b) => a.arrival < b.arrival || (a.arrival === b.arrival && a.tenantId < b.tenantId),
        heads,
      );
      const quotaOf = new Map(input.tenants.map((t) => [t.tenantId, t.quota]));
      const releases: Release[] = [];
      while (releases.length < input.freeSlots) {
        const head = heap.pop();
        if (head === undefined) break;
        const lane = lanes.get(head.tenantId);
        const quota = quotaOf.get(head.tenantId);
        const bucket = buckets.get(head.tenantId);
        if (lane === undefined || quota === undefined) continue;
        if (lane.busy >= quota.maxConcurrency || lane.dailyLeft <= 0) continue;
        if (bucket !== undefined && !hasToken(bucket)) continue;
        if (bucket !== undefined) buckets.set(head.tenantId, take(bucket));
        lane.busy += 1;
        lane.dailyLeft -= 1;
        releases.push({ tenantId: head.tenantId, priority: head.priority, reason: "share" });
        const next = input.queuedArrival(head.tenantId, head.priority, head.taken + 1);
        if (next !== undefined) heap.push({ ...head, taken: head.taken + 1, arrival: next });
      }
      return { releases };
    },
  };
}
