/**
 * Deterministic discrete-event simulation of the release loop: tenants with arrival processes, jobs
 * with service times, `slots` workers, and a policy (the fair-share core or a baseline) deciding what
 * to release whenever something changes. Time is simulated (ms from 0), randomness comes from seeded
 * streams, so a scenario always produces the same report. Exported for tests and benchmarks.
 *
 * The simulator checks the policy independently of it: it keeps its own token buckets, caps and
 * statuses from the same `QuotaBook`, and counts every release that breaks one (`violations`), every
 * slot-ms left idle while some tenant could legally run (`idleSlotMsWhileRunnable`), and decisions
 * that served a tenant above its minimum while another stayed below (`violations.minimum`).
 */
import { PRIORITIES } from "../../../scheduler/quota/priority.ts";
import type { Priority } from "../../../scheduler/quota/priority.ts";
import { QuotaBook } from "../../../scheduler/quota/book.ts";
import type { QuotaApplyOutcome } from "../../../scheduler/quota/book.ts";
import type { Quota } from "../../../scheduler/quota/schema.ts";
import type { TenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { Release, ReleaseReason, TenantSnapshot } from "../../../scheduler/fairshare/decide.ts";
import { MinHeap } from "../../../scheduler/fairshare/heap.ts";
import { jainIndex, percentile } from "../../../scheduler/fairshare/metrics.ts";
import type { Policy } from "../../../scheduler/fairshare/policy.ts";
import { ShareMeter } from "./share-meter.ts";
import {
  fullBucket,
  hasToken,
  isFull,
  nextTokenAt,
  refill,
  take,
} from "../../../scheduler/fairshare/token-bucket.ts";
import type { TokenBucket } from "../../../scheduler/fairshare/token-bucket.ts";
import { generateArrivals } from "./workload.ts";
import type { ArrivalSpec, ServiceSpec, SimJob } from "./workload.ts";

export interface SimTenantSpec {
  readonly tenantId: TenantId;
  /** The quota document as an operator would store it (validated through a `QuotaBook`). */
  readonly quota: unknown;
  readonly arrivals: readonly ArrivalSpec[];
  readonly service: ServiceSpec;
}

export interface SimScenario {
  readonly seed: number;
  readonly slots: number;
  readonly tenants: readonly SimTenantSpec[];
  /** Quota documents written mid-run (valid or not); applied before the decision at `at`. */
  readonly edits?: readonly { readonly at: number; readonly doc: unknown }[];
  /** Fairness measurement window (default 1,000 ms). */
  readonly windowMs?: number;
  /** Stop handling events after this time (default one simulated day). */
  readonly untilMs?: number;
  /** Do not tell the policy the oldest queued arrival per tenant (ties then break on tenant id). */
  readonly omitArrivalTimes?: boolean;
  /** Keep every release in `report.releaseLog` (for tests that inspect the order). */
  readonly recordReleases?: boolean;
}

export interface SimTenantReport {
  readonly tenantId: TenantId;
  readonly released: number;
  readonly completed: number;
  readonly queuedAtEnd: number;
  /** Received / weighted fair share over windows where continuously backlogged and not self-limited. */
  readonly shareRatio: number | undefined;
  readonly shareWindows: number;
  readonly waitP50Ms: number | undefined;
  readonly waitP99Ms: number | undefined;
  readonly waitMaxMs: number | undefined;
  readonly maxRunning: number;
  /** Time-averaged running jobs. */
  readonly avgRunning: number;
}

export interface SimViolations {
  cap: number;
  rate: number;
  status: number;
  daily: number;
  minimum: number;
}

export interface SimReleaseRecord {
  readonly at: number;
  readonly tenantId: TenantId;
  readonly priority: Priority;
  readonly reason: ReleaseReason;
  readonly waitMs: number;
}

export interface SimReport {
  readonly policy: string;
  readonly durationMs: number;
  readonly released: number;
  readonly decisions: number;
  readonly slotMs: number;
  readonly busySlotMs: number;
  readonly idleSlotMsWhileRunnable: number;
  /** idleSlotMsWhileRunnable / slotMs. */
  readonly idleFractionWhileRunnable: number;
  /** Smallest shareRatio over tenants that had one. */
  readonly minShareRatio: number | undefined;
  /** Jain's index over the defined shareRatios (share / weighted fair share). */
  readonly jain: number | undefined;
  readonly violations: SimViolations;
  readonly quotaOutcomes: readonly QuotaApplyOutcome["kind"][];
  readonly tenants: readonly SimTenantReport[];
  readonly releaseLog: readonly SimReleaseRecord[];
}

interface Lane {
  readonly index: number;
  readonly tenantId: TenantId;
  readonly queues: Record<Priority, { jobs: SimJob[]; head: number }>;
  queued: number;
  running: number;
  released: number;
  completed: number;
  maxRunning: number;
  runningMs: number;
  bucket: TokenBucket | undefined;
  bucketFull: boolean;
  readonly waits: number[];
}

type SimEvent =
  | { time: number; seq: number; kind: "completion"; lane: Lane }
  | { time: number; seq: number; kind: "edit"; doc: unknown }
  | { time: number; seq: number; kind: "arrival"; lane: Lane; priority: Priority; jobs: readonly SimJob[] }
  | { time: number; seq: number; kind: "wake" };

const EVENT_ORDER = { completion: 0, edit: 1, arrival: 2, wake: 3 } as const;

export function simulate(scenario: SimScenario, policy: Policy): SimReport {
  const book = new QuotaBook();
  const quotaOutcomes: QuotaApplyOutcome["kind"][] = [];
  const events = new MinHeap<SimEvent>(
    (a, b) =>
      a.time < b.time ||
      (a.time === b.time &&
        (EVENT_ORDER[a.kind] < EVENT_ORDER[b.kind] || (a.kind === b.kind && a.seq < b.seq))),
  );
  let seq = 0;
  const lanes: Lane[] = scenario.tenants.map((spec, index) => ({
    index,
    tenantId: spec.tenantId,
    queues: { high: { jobs: [], head: 0 }, normal: { jobs: [], head: 0 }, low: { jobs: [], head: 0 } },
    queued: 0,
    running: 0,
    released: 0,
    completed: 0,
    maxRunning: 0,
    runningMs: 0,
    bucket: undefined,
    bucketFull: false,
    waits: [],
  }));
  const byId = new Map(lanes.map((lane) => [lane.tenantId, lane]));
  if (byId.size !== lanes.length) throw new RangeError("duplicate tenant id in scenario");

  scenario.tenants.forEach((spec, i) => {
    quotaOutcomes.push(book.apply(spec.quota).kind);
    const lane = lanes[i] as Lane;
    for (const batch of generateArrivals(scenario.seed, spec.tenantId, spec.arrivals, spec.service)) {
      events.push({
        time: batch.at,
        seq: seq++,
        kind: "arrival",
        lane,
        priority: batch.priority,
        jobs: batch.jobs,
      });
    }
  });
  for (const edit of scenario.edits ?? [])
    events.push({ time: edit.at, seq: seq++, kind: "edit", doc: edit.doc });

  const violations: SimViolations = { cap: 0, rate: 0, status: 0, daily: 0, minimum: 0 };
  const meter = new ShareMeter(lanes.length, scenario.windowMs ?? 1000, 0);
  const queuedOf = (i: number): number => lanes[i]?.queued ?? 0;
  const weightOf = (i: number): number | undefined => {
    const lane = lanes[i];
    return lane === undefined ? undefined : book.get(lane.tenantId)?.weight;
  };
  const releaseLog: SimReleaseRecord[] = [];
  const wakes = new Set<number>();
  const untilMs = scenario.untilMs ?? 86_400_000;
  let running = 0;
  let released = 0;
  let decisions = 0;
  let last = 0;
  let idleRunnable = false;
  let busySlotMs = 0;
  let idleSlotMsWhileRunnable = 0;

  /** Why the lane cannot take a release right now (own limits only), or undefined if it can. */
  const heldBy = (lane: Lane, quota: Quota | undefined): keyof SimViolations | undefined => {
    if (quota === undefined || quota.status !== "active") return "status";
    if (lane.running >= quota.maxConcurrency) return "cap";
    if (quota.dailyJobQuota !== undefined && lane.released >= quota.dailyJobQuota) return "daily";
    if (lane.bucket !== undefined && !hasToken(lane.bucket)) return "rate";
    return undefined;
  };

  const applyRelease = (now: number, release: Release, aboveMin: { value: boolean }): void => {
    const lane = byId.get(release.tenantId);
    if (lane === undefined) throw new Error(`policy released unknown tenant ${release.tenantId}`);
    const queue = lane.queues[release.priority];
    const job = queue.jobs[queue.head];
    if (job === undefined)
      throw new Error(`policy released from empty ${release.priority} queue of ${release.tenantId}`);
    queue.head += 1;
    const quota = book.get(lane.tenantId);
    const held = heldBy(lane, quota);
    if (held !== undefined) violations[held] += 1;
    if (quota !== undefined && lane.running >= quota.minConcurrency) aboveMin.value = true;
    if (lane.bucket !== undefined && hasToken(lane.bucket)) lane.bucket = take(lane.bucket);
    lane.queued -= 1;
    lane.running += 1;
    lane.released += 1;
    lane.maxRunning = Math.max(lane.maxRunning, lane.running);
    running += 1;
    released += 1;
    const waitMs = now - job.arrival;
    lane.waits.push(waitMs);
    meter.onRelease(lane.index);
    if (lane.queued === 0) meter.onQueueEmpty(lane.index);
    if (scenario.recordReleases) releaseLog.push({ at: now, ...release, waitMs });
    events.push({ time: now + job.serviceMs, seq: seq++, kind: "completion", lane });
  };

  const scheduleWake = (at: number | undefined, now: number): void => {
    if (at === undefined || at <= now || wakes.has(at)) return;
    wakes.add(at);
    events.push({ time: at, seq: seq++, kind: "wake" });
  };

  const decideAt = (now: number): void => {
    const tenants: TenantSnapshot[] = [];
    for (const lane of lanes) {
      const quota = book.get(lane.tenantId);
      const rate = quota?.rate;
      // Same convention as the core: a bucket full at the end of a decision is "absent", and comes
      // back full at the current burst (so raising the burst of an idle tenant applies at once).
      lane.bucket =
        rate === undefined
          ? undefined
          : lane.bucket && !lane.bucketFull
            ? refill(lane.bucket, rate, now)
            : fullBucket(rate, now);
      if (lane.queued > 0 && heldBy(lane, quota) !== undefined) meter.onHeldByOwnLimit(lane.index);
      const backlog = {
        high: lane.queues.high.jobs.length - lane.queues.high.head,
        normal: lane.queues.normal.jobs.length - lane.queues.normal.head,
        low: lane.queues.low.jobs.length - lane.queues.low.head,
      };
      const oldestQueuedAt = PRIORITIES.reduce<number | undefined>((m, p) => {
        const arrival = lane.queues[p].jobs[lane.queues[p].head]?.arrival;
        return arrival === undefined || (m !== undefined && m <= arrival) ? m : arrival;
      }, undefined);
      tenants.push({
        tenantId: lane.tenantId,
        quota,
        backlog,
        running: lane.running,
        releasedToday: lane.released,
        ...(scenario.omitArrivalTimes || oldestQueuedAt === undefined ? {} : { oldestQueuedAt }),
      });
    }
    const freeSlots = scenario.slots - running;
    const decision = policy.decide({
      now,
      freeSlots,
      tenants,
      queuedArrival: (tenantId, priority, index) => {
        const queue = byId.get(tenantId)?.queues[priority];
        return queue?.jobs[queue.head + index]?.arrival;
      },
    });
    decisions += 1;
    if (decision.releases.length > freeSlots)
      throw new Error(`policy released ${decision.releases.length} > ${freeSlots}`);
    const aboveMin = { value: false };
    for (const r of decision.releases) applyRelease(now, r, aboveMin);
    for (const lane of lanes) {
      const rate = book.get(lane.tenantId)?.rate;
      lane.bucketFull = lane.bucket !== undefined && rate !== undefined && isFull(lane.bucket, rate);
    }
    if (aboveMin.value && lanes.some((l) => belowMinAndRunnable(l))) violations.minimum += 1;
    scheduleWake(decision.wakeAt, now);
  };

  const belowMinAndRunnable = (lane: Lane): boolean => {
    const quota = book.get(lane.tenantId);
    return (
      lane.queued > 0 && heldBy(lane, quota) === undefined && lane.running < (quota as Quota).minConcurrency
    );
  };

  /** After a decision: can some tenant legally run, and when does a rate-limited one get a token? */
  const inspectRunnable = (now: number): void => {
    idleRunnable = false;
    if (running >= scenario.slots) return;
    let nextToken: number | undefined;
    for (const lane of lanes) {
      if (lane.queued === 0) continue;
      const quota = book.get(lane.tenantId);
      const held = heldBy(lane, quota);
      if (held === undefined) idleRunnable = true;
      else if (held === "rate" && quota?.rate !== undefined && lane.bucket !== undefined) {
        const at = nextTokenAt(lane.bucket, quota.rate);
        nextToken = nextToken === undefined ? at : Math.min(nextToken, at);
      }
    }
    scheduleWake(nextToken, now);
  };

  for (let next = events.peek(); next !== undefined && next.time <= untilMs; next = events.peek()) {
    const now = next.time;
    const dt = now - last;
    busySlotMs += running * dt;
    if (idleRunnable) idleSlotMsWhileRunnable += (scenario.slots - running) * dt;
    for (const lane of lanes) lane.runningMs += lane.running * dt;
    meter.advance(now, queuedOf, weightOf);
    last = now;
    wakes.delete(now);
    let quotaChanged = false;
    for (let e = events.peek(); e !== undefined && e.time === now; e = events.peek()) {
      events.pop();
      if (e.kind === "completion") {
        e.lane.running -= 1;
        e.lane.completed += 1;
        running -= 1;
      } else if (e.kind === "arrival") {
        const queue = e.lane.queues[e.priority];
        for (const job of e.jobs) queue.jobs.push(job);
        e.lane.queued += e.jobs.length;
      } else if (e.kind === "edit") {
        quotaOutcomes.push(book.apply(e.doc).kind);
        quotaChanged = true;
      }
    }
    if (running < scenario.slots && (lanes.some((l) => l.queued > 0) || quotaChanged)) decideAt(now);
    inspectRunnable(now);
  }
  meter.close(queuedOf, weightOf);

  return buildReport(policy.name, scenario, lanes, meter, {
    durationMs: last,
    released,
    decisions,
    busySlotMs,
    idleSlotMsWhileRunnable,
    violations,
    quotaOutcomes,
    releaseLog,
  });
}

function buildReport(
  policy: string,
  scenario: SimScenario,
  lanes: readonly Lane[],
  meter: ShareMeter,
  run: Omit<
    SimReport,
    "policy" | "slotMs" | "idleFractionWhileRunnable" | "minShareRatio" | "jain" | "tenants"
  >,
): SimReport {
  const tenants = lanes.map((lane): SimTenantReport => {
    const share = meter.totals(lane.index);
    return {
      tenantId: lane.tenantId,
      released: lane.released,
      completed: lane.completed,
      queuedAtEnd: PRIORITIES.reduce((s, p) => s + lane.queues[p].jobs.length - lane.queues[p].head, 0),
      shareRatio: share.windows > 0 && share.fair > 0 ? share.received / share.fair : undefined,
      shareWindows: share.windows,
      waitP50Ms: percentile(lane.waits, 50),
      waitP99Ms: percentile(lane.waits, 99),
      waitMaxMs: lane.waits.length === 0 ? undefined : lane.waits.reduce((m, w) => Math.max(m, w), 0),
      maxRunning: lane.maxRunning,
      avgRunning: run.durationMs > 0 ? lane.runningMs / run.durationMs : 0,
    };
  });
  const ratios = tenants.flatMap((t) => (t.shareRatio === undefined ? [] : [t.shareRatio]));
  const slotMs = scenario.slots * run.durationMs;
  return {
    policy,
    ...run,
    slotMs,
    idleFractionWhileRunnable: slotMs > 0 ? run.idleSlotMsWhileRunnable / slotMs : 0,
    minShareRatio: ratios.length > 0 ? ratios.reduce((m, r) => Math.min(m, r), Infinity) : undefined,
    jain: jainIndex(ratios),
    tenants,
  };
}
