import type { Priority } from "../quota/priority.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { runQueueClock, type RunQueueClock } from "./run-queue-wait.ts";

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

const MAX_TICK_SAMPLES = 10_000;

/**
 * One timed `decide()`: wall time; the process's CPU time over it (every thread: V8's concurrent GC
 * helpers too); and how long the event-loop thread waited for a CPU inside it (`run-queue-wait.ts`).
 * Wall minus that wait is the call's own time (its work, and any GC pause the thread took in it);
 * the tenants benchmark lines the samples up with GC events.
 */
export interface DecisionSample {
  /** `performance.now()` when the decision started. */
  readonly at: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Time the thread waited on a run queue inside the call (0 when unknown). */
  readonly waitMs: number;
}

export interface DecisionStats {
  readonly count: number;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly maxMs: number;
  /** Wall time minus the run-queue wait: the decision's own time (equal to wall when unknown). */
  readonly ownP50Ms: number | undefined;
  readonly ownP99Ms: number | undefined;
  /** Whether the run-queue wait was measured (Linux). */
  readonly waitKnown: boolean;
  /** The process's CPU time over the same calls (all threads). */
  readonly cpuP50Ms: number | undefined;
  readonly cpuP99Ms: number | undefined;
}

const emptyCounters = (): TenantCounters => ({
  released: 0,
  rejected: 0,
  duplicates: 0,
  errors: 0,
  throttled: { cap: 0, rate: 0, daily: 0, paused: 0, "no-quota": 0 },
});

/** How long one tick took, and its two halves (reads and intake I/O; releases). */
export interface TickTiming {
  readonly totalMs: number;
  /** Quotas, intake top-ups, running counters, fleet slots, work-queue depth (run concurrently). */
  readonly readMs: number;
  /** `decide()` and carrying out its releases. */
  readonly releaseMs: number;
}

export interface TickStats {
  readonly count: number;
  readonly meanMs: number | undefined;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly maxMs: number | undefined;
  readonly readMeanMs: number | undefined;
  readonly releaseMeanMs: number | undefined;
}

/**
 * What the loop exposes for operators and the fairness benchmark: per-tenant counters since start
 * (or `reset()`), every release's queue wait (bounded per tenant), and an optional per-release listener.
 */
export class SchedulerMetrics {
  ticks = 0;
  /** Durations of the last `maxTickSamples` ticks (ms), oldest first once full. */
  readonly #tickMs: number[] = [];
  /** The last `maxTickSamples` timed `decide()` calls. */
  readonly #decisions: DecisionSample[] = [];
  #decisionMax = 0;
  #tickSums = { n: 0, total: 0, read: 0, release: 0, max: 0 };
  readonly #tenants = new Map<TenantId, TenantCounters>();
  readonly #waits = new Map<TenantId, number[]>();
  readonly #maxSamples: number;
  readonly #listener: ((e: ReleaseEvent) => void) | undefined;
  #runQueue: RunQueueClock | undefined;

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

  /** Every tenant's cumulative counters (live objects; read, do not change). */
  allCounters(): ReadonlyMap<TenantId, TenantCounters> {
    return this.#tenants;
  }

  /** Releases of every tenant since the start (or the last `reset`). */
  releasedTotal(): number {
    let n = 0;
    for (const c of this.#tenants.values()) n += c.released;
    return n;
  }

  released(event: ReleaseEvent): void {
    this.counters(event.tenantId).released += 1;
    let waits = this.#waits.get(event.tenantId);
    if (waits === undefined) this.#waits.set(event.tenantId, (waits = []));
    if (waits.length < this.#maxSamples) waits.push(Math.max(0, event.waitMs));
    this.#listener?.(event);
  }

  /** Records one tick's duration (`ticks` counts ticks started; this, ticks finished). */
  tick(t: TickTiming): void {
    const s = this.#tickSums;
    s.n += 1;
    s.total += t.totalMs;
    s.read += t.readMs;
    s.release += t.releaseMs;
    s.max = Math.max(s.max, t.totalMs);
    if (this.#tickMs.length >= MAX_TICK_SAMPLES) this.#tickMs.shift();
    this.#tickMs.push(t.totalMs);
  }

  /** Runs one tick's fair-share decision and records its wall and CPU time (`DecisionSample`). */
  timeDecision<T>(decide: () => T): T {
    // Opened lazily on the first decision: the clock belongs to the thread that runs the loop.
    const rq = (this.#runQueue ??= runQueueClock());
    const rq0 = rq.read();
    const cpu0 = process.cpuUsage();
    const at = performance.now();
    try {
      return decide();
    } finally {
      const wallMs = performance.now() - at;
      const cpu = process.cpuUsage(cpu0);
      const rq1 = rq.read();
      const waitMs = rq0 === undefined || rq1 === undefined ? 0 : Math.min(wallMs, rq1.waitMs - rq0.waitMs);
      this.decision({ at, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, waitMs: Math.max(0, waitMs) });
    }
  }

  /** Records one timed decision (`timeDecision` does it for the loop). */
  decision(sample: DecisionSample): void {
    if (this.#decisions.length >= MAX_TICK_SAMPLES) this.#decisions.shift();
    this.#decisions.push(sample);
    this.#decisionMax = Math.max(this.#decisionMax, sample.wallMs);
  }

  /** The last 10,000 timed decisions, oldest first (read, do not change). */
  decisionSamples(): readonly DecisionSample[] {
    return this.#decisions;
  }

  /** Decision times over the last 10,000 ticks (the max since start or `reset()`). */
  decisionStats(): DecisionStats {
    const wall = this.#decisions.map((d) => d.wallMs).sort((a, b) => a - b);
    const cpu = this.#decisions.map((d) => d.cpuMs).sort((a, b) => a - b);
    const own = this.#decisions.map((d) => d.wallMs - d.waitMs).sort((a, b) => a - b);
    return {
      count: wall.length,
      p50Ms: quantile(wall, 0.5),
      p99Ms: quantile(wall, 0.99),
      maxMs: this.#decisionMax,
      ownP50Ms: quantile(own, 0.5),
      ownP99Ms: quantile(own, 0.99),
      waitKnown: this.#runQueue?.available ?? false,
      cpuP50Ms: quantile(cpu, 0.5),
      cpuP99Ms: quantile(cpu, 0.99),
    };
  }

  /** Tick durations since start (or `reset()`); percentiles over the last 10,000 ticks. */
  tickStats(): TickStats {
    const s = this.#tickSums;
    const sorted = [...this.#tickMs].sort((a, b) => a - b);
    const mean = (v: number) => (s.n === 0 ? undefined : v / s.n);
    return {
      count: s.n,
      meanMs: mean(s.total),
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      maxMs: s.n === 0 ? undefined : s.max,
      readMeanMs: mean(s.read),
      releaseMeanMs: mean(s.release),
    };
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
    this.#tickMs.length = 0;
    this.#decisions.length = 0;
    this.#decisionMax = 0;
    this.#tickSums = { n: 0, total: 0, read: 0, release: 0, max: 0 };
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
