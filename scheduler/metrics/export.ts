/**
 * Wires a scheduler's own figures into the process's Prometheus metrics: counters mirrored from
 * `SchedulerMetrics` (one source of truth), per-tenant gauges from the last tick (running, backlog,
 * share of the fleet and fair share), queue waits per release, and dead-letter queue depths sampled
 * every `dlqSampleMs` (the work DLQ, and the intake DLQ of every tenant this scheduler rejected a
 * message for — a DLQ only grows through rejections, so idle tenants cost no extra requests).
 */
import type { Logger } from "pino";
import { dlqName } from "../../shared/aws/queue-names.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import type { SluiceMetrics, TenantGaugeView } from "../../shared/metrics/sluice-metrics.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { entitlementInput, entitlements } from "../fairshare/entitlement.ts";
import type { FairScheduler } from "../loop/fair-scheduler.ts";

export interface SchedulerExportDeps {
  readonly sqs: SqsPort;
  readonly workDlqUrl: string;
  /** The work DLQ's name (the `queue` label). */
  readonly workDlqName: string;
  readonly intakeDlq: (tenant: TenantId) => Promise<{ dlqUrl: string; queueName: string }>;
  readonly log: Logger;
  /** Default 30 s. */
  readonly dlqSampleMs?: number;
}

/**
 * Per-tenant gauges from the scheduler's last tick (pure), for the tenants it serves. Fair shares are
 * the fleet's: computed over these and, with other replicas, the tenants they serve as this one last
 * saw them (`peerViews`), so the replicas' gauges add up as one scheduler's would.
 */
export function tenantGaugeViews(
  scheduler: Pick<FairScheduler, "views" | "lastTick"> & Partial<Pick<FairScheduler, "peerViews">>,
): Map<string, TenantGaugeView> {
  const slots = scheduler.lastTick()?.liveSlots ?? 0;
  const views = scheduler.views();
  const wanting = [...views, ...(scheduler.peerViews?.() ?? [])];
  const fair = entitlements(
    wanting.flatMap(([tenantId, v]) => entitlementInput(tenantId, v.quota, v.running, v.backlog) ?? []),
    slots,
  );
  const out = new Map<string, TenantGaugeView>();
  for (const [tenant, v] of views) {
    out.set(tenant, {
      running: v.running,
      backlog: v.backlog,
      share: slots > 0 ? v.running / slots : 0,
      fairShare: slots > 0 ? (fair.get(tenant) ?? 0) / slots : 0,
    });
  }
  return out;
}

/** Starts the exporting; returns a stop function (clears the DLQ sampler). */
export function exportSchedulerMetrics(
  scheduler: FairScheduler,
  metrics: SluiceMetrics,
  deps: SchedulerExportDeps,
): () => void {
  metrics.setTenantView(() => tenantGaugeViews(scheduler));
  metrics.setCountsView(() => scheduler.metrics.allCounters());
  const depths = new Map<string, number>();
  metrics.setDlqView(() => depths);
  let sampling = false;
  const sample = async () => {
    if (sampling) return;
    sampling = true;
    try {
      const queues: { name: string; url: string }[] = [{ name: deps.workDlqName, url: deps.workDlqUrl }];
      for (const [tenant, c] of scheduler.metrics.allCounters()) {
        if (c.rejected === 0) continue;
        const q = await deps.intakeDlq(tenant).catch(() => undefined);
        if (q) queues.push({ name: dlqName(q.queueName), url: q.dlqUrl });
      }
      for (const q of queues) {
        const d = await deps.sqs.approximateDepth(q.url).catch((err: unknown) => {
          deps.log.debug({ err, queue: q.name }, "DLQ depth sample failed");
          return undefined;
        });
        if (d) depths.set(q.name, d.visible + d.inFlight + d.delayed);
      }
    } finally {
      sampling = false;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), deps.dlqSampleMs ?? 30_000);
  timer.unref();
  return () => clearInterval(timer);
}
