/**
 * Every Prometheus metric Sluice exports, defined once (names, help, labels, buckets) so the scheduler,
 * the workers and the API export the same names and the Grafana dashboard (docs/grafana/) can be
 * checked against them (test/unit/metrics/dashboard.test.ts).
 *
 * One `SluiceMetrics` per process, on its own `Registry` (never prom-client's global one, so tests
 * can create several). Per-tenant labels go through `TenantLabels` (a cap on distinct tenants; the
 * rest are `other`). Components receive the `MetricsSink` interface below, whose no-op default keeps
 * metrics optional everywhere.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { TenantLabels } from "./tenant-label.ts";

/** What components report. Every method is cheap and never throws. */
export interface MetricsSink {
  /** The scheduler released one job of `tenant` after `waitMs` in its intake queue. */
  released(tenant: string, waitMs: number): void;
  /** One step call finished; `error` is the Step Functions error name when it failed. */
  stepFinished(resource: string, seconds: number, error: string | undefined): void;
  /** One checkpoint write (a CAS on the job document), and whether it won. */
  checkpoint(seconds: number, ok: boolean): void;
  /** A job reached `complete`, `failed` or `needs_review`, `seconds` after it was created. */
  jobFinished(workflow: string, status: string, seconds: number): void;
  /** A failed call to a dependency, by service and kind (e.g. `sqs`, `Throttled`). */
  dependencyError(service: "sqs" | "s3" | "sfn" | "mongo", kind: string): void;
}

/** What the API reports per answered request (`api/server.ts`). */
export interface ApiMetricsSink {
  /**
   * One answered request: its tenant (from the token; undefined before or without one, and for
   * operators), the route pattern (`/v1/jobs/:id`; `unmatched` for none), the HTTP status, seconds.
   */
  apiRequest(tenant: string | undefined, route: string, status: number, seconds: number): void;
}

export const NO_METRICS: MetricsSink = {
  released() {},
  stepFinished() {},
  checkpoint() {},
  jobFinished() {},
  dependencyError() {},
};

/** One tenant's live figures, read when Prometheus scrapes (`setTenantView`). */
export interface TenantGaugeView {
  readonly running: number;
  readonly backlog: number;
  /** Running jobs over the fleet's live slots (0..1). */
  readonly share: number;
  /** What weighted fair sharing would give it now (0..1, see scheduler/fairshare/entitlement.ts). */
  readonly fairShare: number;
}

/** A scheduler's cumulative per-tenant counts (scheduler/loop/metrics.ts), mirrored at scrape time. */
export interface TenantCountsView {
  readonly released: number;
  readonly rejected: number;
  readonly throttled: Readonly<Record<string, number>>;
}

/** Seconds; queue waits and job durations span milliseconds to hours. */
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const STEP_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const WRITE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface SluiceMetricsOptions {
  /** `scheduler`, `worker`, `api`: the `service` label of `sluice_up`. */
  readonly service: string;
  /** Distinct tenants with series of their own (the rest are `other`); default 100. */
  readonly tenantSeriesCap?: number;
  /** Node.js process metrics (CPU, memory, event loop lag, GC); default true. */
  readonly processMetrics?: boolean;
}

export class SluiceMetrics implements MetricsSink, ApiMetricsSink {
  readonly registry = new Registry();
  readonly tenants: TenantLabels;
  readonly #released: Counter<"tenant">;
  readonly #throttled: Counter<"tenant" | "reason">;
  readonly #rejected: Counter<"tenant">;
  readonly #wait: Histogram<"tenant">;
  readonly #stepSeconds: Histogram<"resource">;
  readonly #stepFailures: Counter<"resource" | "error">;
  readonly #checkpoint: Histogram<"outcome">;
  readonly #jobSeconds: Histogram<"workflow" | "status">;
  readonly #depErrors: Counter<"service" | "kind">;
  readonly #dlqDepth: Gauge<"queue">;
  readonly #apiRequests: Counter<"tenant" | "route" | "code">;
  readonly #apiSeconds: Histogram<"route">;
  #tenantView: () => ReadonlyMap<string, TenantGaugeView> = () => new Map();
  #dlqView: () => ReadonlyMap<string, number> = () => new Map();
  #countsView: () => ReadonlyMap<string, TenantCountsView> = () => new Map();
  /** What the counters last mirrored, per tenant and counter (`released`, `rejected`, `throttled:<reason>`). */
  readonly #mirrored = new Map<string, number>();
  #aggregated: { at: number; view: ReadonlyMap<string, TenantGaugeView> } | undefined;
  /** Set while the counters' collect hooks of one scrape run (they all run in the same turn). */
  #mirroring = false;

  constructor(options: SluiceMetricsOptions) {
    const registers = [this.registry];
    this.tenants = new TenantLabels(options.tenantSeriesCap ?? 100);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: "sluice_up",
      help: "1 while this Sluice process runs; the service label says which part it is.",
      labelNames: ["service"],
      registers,
    }).set({ service: options.service }, 1);
    this.#released = new Counter({
      name: "sluice_scheduler_released_total",
      help: "Jobs released from a tenant's intake queue to the work queue.",
      labelNames: ["tenant"],
      registers,
      collect: () => this.#mirrorOncePerScrape(),
    });
    this.#throttled = new Counter({
      name: "sluice_scheduler_throttled_total",
      help: "Ticks in which a tenant with backlog got nothing because of its own limit, by reason (cap, rate, daily, paused, no-quota).",
      labelNames: ["tenant", "reason"],
      registers,
      collect: () => this.#mirrorOncePerScrape(),
    });
    this.#rejected = new Counter({
      name: "sluice_scheduler_rejected_total",
      help: "Intake messages moved to the tenant's dead-letter queue with a reason.",
      labelNames: ["tenant"],
      registers,
      collect: () => this.#mirrorOncePerScrape(),
    });
    this.#wait = new Histogram({
      name: "sluice_scheduler_queue_wait_seconds",
      help: "Time a released job's message spent in its tenant's intake queue.",
      labelNames: ["tenant"],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.#stepSeconds = new Histogram({
      name: "sluice_step_duration_seconds",
      help: "Duration of step calls by Task resource (step name).",
      labelNames: ["resource"],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.#stepFailures = new Counter({
      name: "sluice_step_failures_total",
      help: "Failed step calls by Task resource and error name.",
      labelNames: ["resource", "error"],
      registers,
    });
    this.#checkpoint = new Histogram({
      name: "sluice_checkpoint_duration_seconds",
      help: "Latency of checkpoint writes (compare-and-set on the job document); outcome won or lost.",
      labelNames: ["outcome"],
      buckets: WRITE_BUCKETS,
      registers,
    });
    this.#jobSeconds = new Histogram({
      name: "sluice_job_duration_seconds",
      help: "Time from job creation to complete, failed or needs_review, by workflow and status.",
      labelNames: ["workflow", "status"],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.#depErrors = new Counter({
      name: "sluice_dependency_errors_total",
      help: "Failed calls to SQS, S3, Step Functions and MongoDB, by service and kind.",
      labelNames: ["service", "kind"],
      registers,
    });
    const perTenant = (name: string, help: string, pick: (v: TenantGaugeView) => number) => {
      const gauge: Gauge<"tenant"> = new Gauge({
        name,
        help,
        labelNames: ["tenant"],
        registers,
        collect: () => {
          gauge.reset();
          for (const [tenant, v] of this.#aggregatedView()) gauge.set({ tenant }, pick(v));
        },
      });
      return gauge;
    };
    perTenant("sluice_tenant_running", "Jobs of the tenant holding a slot now.", (v) => v.running);
    perTenant(
      "sluice_tenant_backlog",
      "Jobs waiting in the tenant's intake queue (estimate).",
      (v) => v.backlog,
    );
    perTenant(
      "sluice_tenant_fleet_share",
      "The tenant's running jobs over the fleet's live worker slots (0..1).",
      (v) => v.share,
    );
    perTenant(
      "sluice_tenant_fair_share",
      "The share of the fleet weighted fair sharing gives the tenant now (0..1).",
      (v) => v.fairShare,
    );
    this.#apiRequests = new Counter({
      name: "sluice_api_requests_total",
      help: "Requests the API answered, by tenant (none: no tenant token), route pattern and HTTP status (429: over the tenant's edge rate).",
      labelNames: ["tenant", "route", "code"],
      registers,
    });
    this.#apiSeconds = new Histogram({
      name: "sluice_api_request_duration_seconds",
      help: "Time the API took to answer, by route pattern.",
      labelNames: ["route"],
      buckets: WRITE_BUCKETS,
      registers,
    });
    this.#dlqDepth = new Gauge({
      name: "sluice_dlq_depth",
      help: "Messages in a dead-letter queue (work, or a tenant's intake DLQ), as last sampled.",
      labelNames: ["queue"],
      registers,
      collect: () => {
        this.#dlqDepth.reset();
        for (const [queue, depth] of this.#dlqView()) this.#dlqDepth.set({ queue }, depth);
      },
    });
  }

  /**
   * The tenant view with labels applied (tenants over the cap summed into `other`), computed once per
   * scrape: the four per-tenant gauges collect one after another within a few milliseconds.
   */
  #aggregatedView(): ReadonlyMap<string, TenantGaugeView> {
    const now = Date.now();
    if (this.#aggregated !== undefined && now - this.#aggregated.at < 100) return this.#aggregated.view;
    const view = new Map<string, TenantGaugeView>();
    for (const [tenant, v] of this.#tenantView()) {
      const label = this.tenants.label(tenant);
      const prev = view.get(label);
      view.set(
        label,
        prev === undefined
          ? v
          : {
              running: prev.running + v.running,
              backlog: prev.backlog + v.backlog,
              share: prev.share + v.share,
              fairShare: prev.fairShare + v.fairShare,
            },
      );
    }
    this.#aggregated = { at: now, view };
    return view;
  }

  /** Where the per-tenant gauges read from at scrape time (the scheduler's last tick). */
  setTenantView(read: () => ReadonlyMap<string, TenantGaugeView>): void {
    this.#tenantView = read;
    this.#aggregated = undefined;
  }

  /** Where `sluice_dlq_depth` reads from at scrape time (queue name → depth). */
  setDlqView(read: () => ReadonlyMap<string, number>): void {
    this.#dlqView = read;
  }

  /**
   * Where the released / rejected / throttled counters read from at scrape time: the scheduler's own
   * cumulative counts, so there is one source of truth. A count lower than last time (the scheduler's
   * metrics were reset) counts again from zero.
   */
  setCountsView(read: () => ReadonlyMap<string, TenantCountsView>): void {
    this.#countsView = read;
  }

  /**
   * The collect hook of the three mirrored counters. A scrape calls the hooks of every metric one after
   * another in the same turn (prom-client's `Registry.metrics`), so the first one mirrors and the other
   * two find it done; the flag clears at the end of the turn, before the next scrape.
   */
  #mirrorOncePerScrape(): void {
    if (this.#mirroring) return;
    this.#mirroring = true;
    queueMicrotask(() => (this.#mirroring = false));
    this.#mirrorCounts();
  }

  #mirrorCounts(): void {
    const add = (key: string, value: number, inc: (by: number) => void) => {
      const last = this.#mirrored.get(key) ?? 0;
      const delta = value >= last ? value - last : value;
      if (delta > 0) inc(delta);
      this.#mirrored.set(key, value);
    };
    for (const [tenant, c] of this.#countsView()) {
      const label = this.tenants.label(tenant);
      add(`${tenant}\u0000released`, c.released, (n) => this.#released.inc({ tenant: label }, n));
      add(`${tenant}\u0000rejected`, c.rejected, (n) => this.#rejected.inc({ tenant: label }, n));
      for (const [reason, n] of Object.entries(c.throttled)) {
        add(`${tenant}\u0000throttled:${reason}`, n, (by) =>
          this.#throttled.inc({ tenant: label, reason }, by),
        );
      }
    }
  }

  released(tenant: string, waitMs: number): void {
    this.#wait.observe({ tenant: this.tenants.label(tenant) }, Math.max(0, waitMs) / 1000);
  }

  stepFinished(resource: string, seconds: number, error: string | undefined): void {
    this.#stepSeconds.observe({ resource }, seconds);
    if (error !== undefined) this.#stepFailures.inc({ resource, error });
  }

  checkpoint(seconds: number, ok: boolean): void {
    this.#checkpoint.observe({ outcome: ok ? "won" : "lost" }, seconds);
  }

  jobFinished(workflow: string, status: string, seconds: number): void {
    this.#jobSeconds.observe({ workflow, status }, Math.max(0, seconds));
  }

  dependencyError(service: "sqs" | "s3" | "sfn" | "mongo", kind: string): void {
    this.#depErrors.inc({ service, kind });
  }

  apiRequest(tenant: string | undefined, route: string, status: number, seconds: number): void {
    const label = tenant === undefined ? "none" : this.tenants.label(tenant);
    this.#apiRequests.inc({ tenant: label, route, code: String(status) });
    this.#apiSeconds.observe({ route }, Math.max(0, seconds));
  }

  /** The exposition text Prometheus scrapes. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
