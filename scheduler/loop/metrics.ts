import type { Priority } from "../quota/priority.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

/** Why a tenant with backlog got nothing in a tick, when the reason is its own limit or status. */
export type ThrottleReason = "cap" | "rate" | "daily" | "paused" | "no-quota";

export interface TenantCounters {
  released: number;
  /** Intake messages sent to the DLQ (invalid, unknown workflow, tenant suspended). */
  rejected: number;
  /** Releases that found their job already past `queued` (a redelivered intake message). */
  duplicates: number;
  /** Release attempts that failed on I/O (the message is redelivered later). */
  errors: number;
  /** Ticks (and refused acquisitions) in which the tenant had backlog but its own limit held it. */
  throttled: Record<ThrottleReason, number>;
}

export interface TenantMetricsView extends TenantCounters {
  readonly waitP50Ms: number | undefined;
  readonly waitP99Ms: number | undefined;
  readonly waitMaxMs: number | undefined;
}

/** One release, for timelines (share over time, wait over time). */
export interface ReleaseEvent {
  readonly tenantId: TenantId;
  readonly jobId: string;
  readonly priority: Priority;
  /** Scheduler clock at release. */
  readonly at: number;
  /** `at − SentTimestamp` of the intake message: its queue wait. */
  readonly waitMs: number;
}

const emptyCounters = (): TenantCounters => ({
  released: 0,
  rejected: 0,
  duplicates: 0,
  errors: 0,
  throttled: { cap: 0, rate: 0, daily: 0, paused: 0, "no-quota": 0 },
});

/**
 * What the loop exposes for operators and the fairness benchmark: per-tenant counters since start
 * (or `reset()`), every release's queue wait (bounded per tenant), and an optional per-release listener.
 */
export class SchedulerMetrics {
  ticks = 0;
  readonly #tenants = new Map<TenantId, TenantCounters>();
  readonly #waits = new Map<TenantId, number[]>();
  readonly #maxSamples: number;
  readonly #listener: ((e: ReleaseEvent) => void) | undefined;

  constructor(options: { maxWaitSamples?: number; onRelease?: (e: ReleaseEvent) => void } = {}) {
    this.#maxSamples = options.maxWaitSamples ?? 100_000;
    this.#listener = options.onRelease;
  }

  counters(tenant: TenantId): TenantCounters {
    let c = this.#tenants.get(tenant);
    if (c === undefined) {
      c = emptyCounters();
      this.#tenants.set(tenant, c);
    }
    return c;
  }

  released(event: ReleaseEvent): void {
    this.counters(event.tenantId).released += 1;
    let waits = this.#waits.get(event.tenantId);
    if (waits === undefined) this.#waits.set(event.tenantId, (waits = []));
    if (waits.length < this.#maxSamples) waits.push(Math.max(0, event.waitMs));
    this.#listener?.(event);
  }

  throttled(tenant: TenantId, reason: ThrottleReason): void {
    this.counters(tenant).throttled[reason] += 1;
  }

  /** Queue waits (ms) of the tenant's releases, in release order. */
  waits(tenant: TenantId): readonly number[] {
    return this.#waits.get(tenant) ?? [];
  }

  snapshot(): Record<string, TenantMetricsView> {
    const out: Record<string, TenantMetricsView> = {};
    for (const [tenant, c] of [...this.#tenants].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const sorted = [...this.waits(tenant)].sort((a, b) => a - b);
      out[tenant] = {
        ...c,
        throttled: { ...c.throttled },
        waitP50Ms: quantile(sorted, 0.5),
        waitP99Ms: quantile(sorted, 0.99),
        waitMaxMs: sorted.at(-1),
      };
    }
    return out;
  }

  reset(): void {
    this.ticks = 0;
    this.#tenants.clear();
    this.#waits.clear();
  }
}

/** Nearest-rank quantile of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}
