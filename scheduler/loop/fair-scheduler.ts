/**
 * The fair-share release loop: the I/O around the pure `decide()` core. Each `tick()`:
 *
 * 1. reads the live quotas (a `QuotaBook` kept fresh by `QuotaSource`), and per tenant by status:
 *    active → top up its intake buffer while it has backlog, else leave it to its long poll (idle
 *    tenants cost no tick I/O, ADR 0023); paused → hold (no receive; buffered messages stay held);
 *    suspended → receive and reject to the intake DLQ with the suspension reason; no valid quota ever
 *    → nothing (messages stay queued; reported in the summary);
 *    (`tick-io.ts`: per-tenant I/O runs concurrently, at most `intakeConcurrency` tenants at once;
 *    the tick waits at most `laneIoWaitMs` for it, not at all for a lane whose I/O is still running
 *    from an earlier tick or was slow last time, and no longer once a long poll brings messages);
 * 2. in parallel reads the running counters (`UsageStore.readAll`, every tick), the live worker slots
 *    (`FleetCapacity.view`) and the work queue's depth (both cached briefly, `capacity-reads.ts`) →
 *    free slots = live − committed + release lead (`free-slots.ts`);
 * 3. `decide()` over the tenants with a valid quota and backlog (the others keep their fair-share
 *    state through `retained`), timed for `metrics.decisionStats()`;
 * 4. for each release: take a buffered message of that tenant (and priority), `tryAcquire` its slot
 *    (atomic, capped: two schedulers never exceed a cap), `releaseMessage`, then record the acquisition
 *    in the `UsageLedger` (exactly-once give-back when the job is terminal); a rejection or a duplicate gives
 *    the slot back at once.
 *
 * `maintain()` (its own timer) reconciles counters from jobs, prunes the ledger and dead heartbeats,
 * logs a compact per-tenant summary and publishes it (`scheduler_stats`). Time comes from `now`
 * (injected); `tick()` and `maintain()` are public so tests and benchmarks drive the loop without timers.
 */
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { decide } from "../fairshare/decide.ts";
import type { TenantSnapshot } from "../fairshare/decide.ts";
import { initialFairShareState } from "../fairshare/state.ts";
import type { FairShareState } from "../fairshare/state.ts";
import type { QuotaBook } from "../quota/book.ts";
import type { Quota } from "../quota/schema.ts";
import { backlogTotal } from "../quota/priority.ts";
import type { UsageSnapshot } from "../../shared/usage/usage-store.ts";
import { CapacityReader } from "./capacity-reads.ts";
import { IntakeLanes } from "./intake-lanes.ts";
import { holdWithoutQuota, prepareLane } from "./lane-io.ts";
import type { LaneIoContext } from "./lane-io.ts";
import { SchedulerMetrics } from "./metrics.ts";
import { executeReleases } from "./release-batch.ts";
import { ReconcileRotation } from "./reconcile-selection.ts";
import { TickIo } from "./tick-io.ts";
import { peerTenantViews, summaryLines, tickViews } from "./summary.ts";
import type { PeerTenantView, TenantTickView } from "./summary.ts";
import { backloggedWeight } from "../shards/slot-share.ts";
import { claimBases, tenantClaims } from "../shards/tenant-claims.ts";
import {
  FAIR_SCHEDULER_DEFAULTS as DEFAULTS,
  type FairSchedulerDeps,
  type FairSchedulerOptions,
  type TickReport,
} from "./fair-scheduler-config.ts";

export type { FairSchedulerDeps, FairSchedulerOptions, TickReport } from "./fair-scheduler-config.ts";

export class FairScheduler {
  readonly metrics: SchedulerMetrics;
  readonly #deps: FairSchedulerDeps;
  readonly #opts: FairSchedulerOptions;
  readonly #lanes: IntakeLanes;
  readonly #capacity: CapacityReader;
  readonly #laneIo: LaneIoContext;
  readonly #tickIo: TickIo;
  readonly #rotation = new ReconcileRotation();
  #state: FairShareState = initialFairShareState();
  #views = new Map<TenantId, TenantTickView>();
  #lastReport: TickReport | undefined;
  #lastSummaryAt: number | undefined;
  #summaryBase = new Map<TenantId, { released: number; rejected: number; throttled: number }>();
  #running = false;
  #loop: Promise<void> | undefined;
  #maintTimer: NodeJS.Timeout | undefined;
  #maintaining: Promise<unknown> | undefined;
  #wake: (() => void) | undefined;
  /** A nudge came while no pause was pending: the next pause is skipped. */
  #nudged = false;
  /** The running counters as the last tick read them (for maintenance's choice of hot tenants). */
  #usage: ReadonlyMap<TenantId, UsageSnapshot> = new Map();
  /** Σ weight of the backlogged tenants seen by the last tick (published by the ownership round). */
  #weight = 0;

  constructor(
    deps: FairSchedulerDeps,
    options: Partial<FairSchedulerOptions> = {},
    metrics?: SchedulerMetrics,
  ) {
    this.#deps = deps;
    this.#opts = { ...DEFAULTS, ...options };
    this.#lanes = new IntakeLanes(
      {
        sqs: deps.sqs,
        intakeQueues: deps.intakeQueues,
        now: deps.now,
        log: deps.log,
        ...(deps.longPoll !== undefined ? { longPollSqs: deps.longPoll.sqs } : {}),
        onMessages: () => {
          this.#tickIo.wake();
          this.nudge();
        },
      },
      this.#opts.intake,
    );
    this.metrics = metrics ?? new SchedulerMetrics();
    this.#capacity = new CapacityReader(deps, {
      maxWorkQueueDepth: this.#opts.maxWorkQueueDepth,
      releaseLead: this.#opts.releaseLead,
      fleetRefreshMs: this.#opts.fleetRefreshMs,
      workDepthRefreshMs: this.#opts.workDepthRefreshMs,
    });
    this.#laneIo = {
      reject: deps.reject,
      lanes: this.#lanes,
      metrics: this.metrics,
      log: deps.log,
      now: deps.now,
    };
    this.#tickIo = new TickIo({ concurrency: this.#opts.intakeConcurrency, waitMs: this.#opts.laneIoWaitMs });
  }

  /** The quotas applying now, and the problems of rejected documents (for operators and tests). */
  get quotaBook(): QuotaBook {
    return this.#deps.quotas.book;
  }

  /** The fair-share state (per-tenant virtual-time leads, token buckets). */
  get state(): FairShareState {
    return this.#state;
  }

  /** The last finished tick's report (live slots, backlog, releases), for metrics; undefined before one. */
  lastTick(): TickReport | undefined {
    return this.#lastReport;
  }

  /** Intake lanes by mode (idle: long-polled; backlogged) and long polls sent. */
  intakeStats(): ReturnType<IntakeLanes["stats"]> {
    return this.#lanes.stats();
  }

  /** What the last tick saw per tenant (backlog, running, quota, why held). */
  views(): ReadonlyMap<TenantId, TenantTickView> {
    return this.#views;
  }

  /**
   * The tenants other replicas serve that want slots (`peerTenantViews`), from the last tick's counters
   * and the others' claims as last read: computed when the metrics ask, not in the tick.
   */
  peerViews(): ReadonlyMap<TenantId, PeerTenantView> {
    const own = this.#deps.ownership;
    if (own === undefined) return new Map();
    const claims = own.peerClaims(this.#deps.now(), this.#usage);
    return peerTenantViews(this.#views, this.#usage, claims, this.#deps.quotas.book.quotas());
  }

  async tick(): Promise<TickReport> {
    const now = this.#deps.now();
    this.metrics.ticks += 1;
    const book = this.#deps.quotas.book;
    let quotas = book.quotas();
    let noQuota = book
      .rejected()
      .filter((r) => !r.hasValidQuota)
      .map((r) => r.tenantId);
    const own = this.#deps.ownership;
    if (own !== undefined) {
      const forget = (ts: readonly TenantId[]) => this.#forget(ts);
      await own.syncIfDue(now, [...quotas.keys(), ...noQuota], { lost: forget, weight: this.#weight });
      quotas = new Map([...quotas].filter(([t]) => own.owns(t, now)));
      noQuota = noQuota.filter((t) => own.owns(t, now));
    }
    for (const t of this.#lanes.tenants())
      if (!quotas.has(t) && !noQuota.includes(t)) await this.#lanes.forget(t);

    const io = this.#laneIo;
    const waited: Promise<void>[] = [];
    for (const [t, q] of quotas) {
      const lane = this.#lanes.lane(t);
      if (this.#lanes.isQuiet(lane)) this.#lanes.observeLimit(lane, q.maxQueued);
      else this.#tickIo.start(lane, () => prepareLane(io, lane, q), waited, now);
    }
    for (const t of noQuota) {
      const lane = this.#lanes.lane(t);
      this.#tickIo.start(lane, () => holdWithoutQuota(io, lane), waited, now);
    }
    // A tick with no lane holding or fetching anything decides nothing: it reuses a recent read.
    const idle = waited.length === 0 && this.#lanes.tenants().every((t) => this.#lanes.lane(t).total === 0);
    const [, cap] = await Promise.all([this.#tickIo.wait(waited), this.#capacity.read(now, { idle })]);
    const readAt = this.#deps.now();
    const { usage, liveSlots } = cap;
    this.#usage = usage;
    // Decide with the quotas as they are now, not as the tick began: an edit that landed during the
    // I/O wait (a pause, say) applies to what a long poll brought meanwhile.
    quotas = currentQuotas(quotas, book.quotas());

    // Only tenants with backlog can take a release: the decision's cost follows them, not every tenant.
    const snapshots: TenantSnapshot[] = [];
    for (const [tenantId, quota] of quotas) {
      const lane = this.#lanes.lane(tenantId);
      if (quota.status === "suspended" || lane.total === 0) continue;
      const u = usage.get(tenantId);
      const oldest = lane.buffer.oldestSentAt();
      snapshots.push({
        tenantId,
        quota,
        backlog: lane.backlog(),
        running: u?.running ?? 0,
        releasedToday: u?.releasedToday ?? 0,
        ...(oldest !== undefined ? { oldestQueuedAt: oldest } : {}),
      });
    }
    this.#weight = backloggedWeight(snapshots);
    const mine = tenantClaims(snapshots, this.#state, now);
    const free =
      own === undefined ? cap.free : own.budget({ free: cap.free, mine, usage, quotas: book.quotas(), now });
    const decision = this.metrics.timeDecision(() =>
      decide(
        this.#state,
        { now, freeSlots: free, tenants: snapshots, retained: quotas },
        {
          ...(this.#opts.priorityAging !== undefined ? { priorityAging: this.#opts.priorityAging } : {}),
        },
      ),
    );
    this.#state = decision.state;
    // The claims published for the other replicas are what is left after this decision (ADR 0029).
    own?.publishClaims(mine, decision.releases, now, claimBases(snapshots, mine, decision.releases));
    const outcome = await executeReleases(
      {
        usage: this.#deps.usage,
        ledger: this.#deps.ledger,
        release: this.#deps.release,
        reject: this.#deps.reject,
        now: this.#deps.now,
        log: this.#deps.log,
        lanes: this.#lanes,
        metrics: this.metrics,
        concurrency: this.#opts.releaseConcurrency,
        ...(own !== undefined ? { owns: (t: TenantId) => own.owns(t, this.#deps.now()) } : {}),
      },
      decision.releases,
      quotas,
    );
    this.#capacity.noteReleased(outcome.released);
    const got = new Set(decision.releases.map((r) => r.tenantId));
    this.#rotation.released(got);
    const { views, waitingForSlots } = tickViews({
      quotas,
      usage,
      noQuota,
      released: got,
      lanes: this.#lanes,
      state: this.#state,
      now,
    });
    for (const [t, v] of views) if (v.held !== undefined) this.metrics.throttled(t, v.held);
    this.#views = views;
    const end = this.#deps.now();
    this.metrics.tick({ totalMs: end - now, readMs: readAt - now, releaseMs: end - readAt });

    this.#lastReport = {
      at: now,
      freeSlots: free,
      liveSlots,
      lead: cap.lead,
      decided: decision.releases.length,
      ...outcome,
      backlog: snapshots.reduce((s, t) => s + backlogTotal(t.backlog), 0),
      waitingForSlots,
      wakeAt: decision.wakeAt,
      durationMs: end - now,
      owned: quotas.size + noQuota.length,
    };
    return this.#lastReport;
  }

  /** Stops the lanes of tenants this replica no longer owns; their buffered messages become visible. */
  async #forget(tenants: readonly TenantId[]): Promise<void> {
    await Promise.all(tenants.map((t) => this.#lanes.forget(t)));
  }

  /** Backlog, running or parked jobs as the last tick saw them (a tenant no tick saw yet is quiet). */
  #isHot(tenant: TenantId): boolean {
    const v = this.#views.get(tenant);
    const u = this.#usage.get(tenant);
    return (v?.backlog ?? 0) > 0 || (v?.running ?? 0) > 0 || (u?.running ?? 0) > 0 || (u?.parked ?? 0) > 0;
  }

  /** Reconcile counters from jobs, prune the ledger and dead heartbeats, log the summary when due. */
  async maintain(): Promise<void> {
    const now = this.#deps.now();
    // Each replica reconciles the tenants it owns (one replica per tenant, not every replica for all):
    // the hot ones every round, the quiet ones in a rotation (`reconcile-selection.ts`).
    const own = this.#deps.ownership;
    const owned = [...this.#deps.quotas.book.quotas().keys()].filter((t) => own?.owns(t, now) ?? true);
    const tenants = this.#rotation.next(owned, (t) => this.#isHot(t), {
      intervalMs: this.#opts.maintenanceIntervalMs,
      quietEveryMs: this.#opts.quietReconcileMs,
    });
    await this.#deps.usage.reconcileAll(tenants);
    await this.#deps.ledger.prune?.(this.#opts.ledgerRetentionMs);
    await this.#deps.capacity.prune?.(now);
    if (this.#lastSummaryAt !== undefined && now - this.#lastSummaryAt < this.#opts.summaryIntervalMs) return;
    this.logSummary(now);
    await this.#deps.stats?.publish(this.metrics.snapshot(), this.#views.keys(), now);
  }

  /** One compact line per tenant with something to say: released/rejected/throttled since the last summary. */
  logSummary(now = this.#deps.now()): void {
    const periodMs = this.#lastSummaryAt === undefined ? undefined : now - this.#lastSummaryAt;
    for (const line of summaryLines(this.#views, this.metrics, this.#summaryBase)) {
      this.#deps.log.info(
        { ...line, periodMs },
        line.held === "no-quota" ? "tenant has no valid quota; its messages stay queued" : "tenant summary",
      );
    }
    this.#lastSummaryAt = now;
  }

  /**
   * Loads quotas, then runs ticks until `stop()`: at once after a tick that released; after
   * `busyIntervalMs` when work waits only for a slot (so a job resting is seen within that); else after
   * `intervalMs` (or at the next rate-limit wake-up). `nudge()` cuts a pause short.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#deps.setup?.();
    await this.#deps.quotas.start?.();
    this.#scheduleMaintenance();
    this.#loop = (async () => {
      while (this.#running) {
        let delay = this.#opts.intervalMs;
        try {
          const r = await this.tick();
          if (r.released > 0) delay = 0;
          else if (r.waitingForSlots > 0) delay = Math.min(delay, this.#opts.busyIntervalMs);
          if (delay > 0 && r.wakeAt !== undefined)
            delay = Math.max(1, Math.min(delay, r.wakeAt - this.#deps.now()));
        } catch (err) {
          if (!this.#running) break;
          this.#deps.log.error({ err }, "scheduler tick failed; retrying");
          delay = Math.max(delay, 500);
        }
        // The ownership round runs in the tick: never pause past it, or the leases would lapse.
        const renewMs = this.#deps.ownership?.options.renewMs;
        if (renewMs !== undefined) delay = Math.min(delay, renewMs);
        if (this.#running) await this.#sleep(delay);
      }
    })();
  }

  /**
   * Wakes a sleeping loop now (a long poll brought messages, or a worker in the same process freed a
   * slot); during a tick, the pause after it is skipped.
   */
  nudge(): void {
    if (this.#wake !== undefined) this.#wake();
    else this.#nudged = true;
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#nudged) {
      this.#nudged = false;
      return new Promise((r) => setImmediate(r));
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  #scheduleMaintenance(): void {
    if (!this.#running) return;
    this.#maintTimer = setTimeout(() => {
      this.#maintaining = this.maintain()
        .catch((err: unknown) => this.#deps.log.error({ err }, "scheduler maintenance failed"))
        .finally(() => this.#scheduleMaintenance());
    }, this.#opts.maintenanceIntervalMs);
    this.#maintTimer.unref();
  }

  /**
   * Stops ticking, gives buffered messages back to their queues, frees this replica's tenant leases,
   * stops the quota source. Idempotent.
   */
  async stop(): Promise<void> {
    const looping = this.#running || this.#loop !== undefined;
    this.#running = false;
    if (looping) {
      this.#wake?.();
      clearTimeout(this.#maintTimer);
      await this.#loop;
      await this.#maintaining;
      this.#loop = undefined;
    }
    // Also after ticks driven without start(): the lanes and leases they took are given back.
    await Promise.all(this.#lanes.tenants().map((t) => this.#lanes.forget(t)));
    // Polls let go (handed-over or paused tenants) may still be open: cut them short now.
    await this.#lanes.abortLetGo();
    // Leases are freed only after the messages are back on their queues (the next owner sees them).
    await this.#deps.ownership
      ?.releaseAll((ts) => this.#forget(ts))
      .catch((err: unknown) => this.#deps.log.warn({ err }, "could not free every tenant lease"));
    this.#deps.longPoll?.close?.();
    if (looping) await this.#deps.quotas.stop?.();
  }
}

/** The tick's tenants with their quota as the book has it now; a tenant whose quota went is dropped. */
function currentQuotas(
  tick: ReadonlyMap<TenantId, Quota>,
  book: ReadonlyMap<TenantId, Quota>,
): Map<TenantId, Quota> {
  const out = new Map<TenantId, Quota>();
  for (const t of tick.keys()) {
    const q = book.get(t);
    if (q !== undefined) out.set(t, q);
  }
  return out;
}
