/**
 * One measuring window of a phase: SQS requests to the idle tenants' intake queues (counted on the
 * wire by the proxy every replica talks through), per idle tenant per second, and each scheduler
 * process's CPU per second of wall time (the sum is the phase's figure).
 */
import type { SqsRequestCounter } from "../../test/support/sqs-request-counter.ts";
import { perTenantRate } from "./measure.ts";
import { reportAll, type SchedulerReplica } from "./replicas.ts";

export interface WindowFigures {
  readonly ms: number;
  readonly idleRequests: number;
  readonly idleTenants: number;
  readonly reqPerIdleTenantS: number;
  /** Requests to probed tenants' queues in the window (they were busy for a moment). */
  readonly probedRequests: number;
  readonly otherRequests: number;
  readonly requestsByAction: Record<string, number>;
  /** CPU of all scheduler processes per second of wall time, % of one core. */
  readonly cpuPct: number;
  /** The same per replica, in replica order. */
  readonly cpuPctByReplica: readonly { readonly replicaId: string; readonly cpuPct: number }[];
}

export interface WindowScope {
  readonly counter: SqsRequestCounter;
  readonly replicas: readonly SchedulerReplica[];
  /** Intake queue name → tenant. */
  readonly queueOf: ReadonlyMap<string, string>;
  readonly busy: ReadonlySet<string>;
  readonly idle: readonly string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Runs `during` (default: waits `ms`) and measures the window around it; `probed` may grow meanwhile. */
export async function measureWindow(
  scope: WindowScope,
  ms: number,
  probed: ReadonlySet<string>,
  during?: () => Promise<void>,
): Promise<{ from: number; to: number; figures: WindowFigures }> {
  const c0 = await reportAll(scope.replicas);
  const from = Date.now();
  await (during?.() ?? sleep(ms));
  const to = Date.now();
  const c1 = await reportAll(scope.replicas);
  const reqs = scope.counter.since(from).filter((r) => r.at <= to);
  const byAction: Record<string, number> = {};
  let idleRequests = 0;
  let probedRequests = 0;
  for (const r of reqs) {
    byAction[r.action] = (byAction[r.action] ?? 0) + 1;
    const t = r.queue === undefined ? undefined : scope.queueOf.get(r.queue);
    if (t === undefined || scope.busy.has(t)) continue;
    if (probed.has(t)) probedRequests += 1;
    else idleRequests += 1;
  }
  const idleTenants = scope.idle.length - probed.size;
  const pct = (micros: number) => (micros / 1000 / (to - from)) * 100;
  const cpuPctByReplica = c1.map((r, i) => ({
    replicaId: r.replicaId,
    cpuPct: pct(r.cpuMicros - (c0[i]?.cpuMicros ?? 0)),
  }));
  return {
    from,
    to,
    figures: {
      ms: to - from,
      idleRequests,
      idleTenants,
      reqPerIdleTenantS: perTenantRate(idleRequests, idleTenants, to - from),
      probedRequests,
      otherRequests: reqs.length - idleRequests - probedRequests,
      requestsByAction: byAction,
      cpuPct: cpuPctByReplica.reduce((s, r) => s + r.cpuPct, 0),
      cpuPctByReplica,
    },
  };
}
