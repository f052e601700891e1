/**
 * The fairness benchmark's figures, computed after a phase from what it recorded (pure, no I/O):
 * every job's send, release, start and finish times (from the producer and the job documents) and
 * the workers' busy-slot samples. The math reuses the simulator's `ShareMeter`, `jainIndex` and
 * `percentile`, fed with the replayed timeline instead of simulated events.
 *
 * Definitions (all times on the benchmark machine's one clock, ms; W = the measurement window
 * [windowStart, end), cut into `windowMs` windows):
 * - queued(tenant, t): jobs sent to the tenant by t (producer's clock just before SendMessage) and
 *   not yet dequeued. Dequeued = released by the scheduler (job document created, `createdAt`) for
 *   Sluice; started by a worker (`startedAt`) for FIFO, which has no scheduler.
 * - running(tenant, t): dequeued and not yet finished (`finishedAt`): what counts against the cap.
 * - share ratio: per `ShareMeter` — in each window the dequeues are the capacity; a tenant's demand is
 *   its dequeues plus what it still has queued at the window's end (only its dequeues if it was at
 *   its cap at any event in the window); the weighted max-min fair allocation of the capacity over
 *   the demands is its fair share. Ratio = Σ received / Σ fair share over the windows in which the
 *   tenant was continuously backlogged (queued > 0 throughout) and never at its cap.
 * - backlogged tenant: one with at least one such window. min-share = the lowest ratio of those;
 *   Jain = Jain's index over their ratios.
 * - quiet wait: for quiet tenants' jobs sent in [windowStart, end − tailMs]: release − send (and,
 *   for contrast with FIFO, start − send). A job not released by the end counts as end − send, a
 *   lower bound; a percentile is then marked as a lower bound.
 * - idle slot-time while runnable: over W, Σ (slots − busy slots) × dt over the samples at which some
 *   tenant had queued work and was under its cap; idle-pct = that / (slots × |W|). Split by whether
 *   released jobs were waiting in the work queue (worker-side latency) or not (scheduler-side).
 * - quota-apply: from the quota edit's write to the first release of the edited tenant that takes its
 *   running count above the old cap (a release only the new quota allows).
 */
import { jainIndex, percentile } from "../../scheduler/fairshare/metrics.ts";
import { ShareMeter } from "./sim/share-meter.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { TenantRole } from "./scenario.ts";

export interface JobRecord {
  readonly tenant: TenantId;
  readonly sentAt: number;
  /** Job created by the scheduler (Sluice) or by the producer (FIFO); absent if never released. */
  readonly releasedAt?: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
}

export interface TenantTrack {
  readonly id: TenantId;
  readonly role: TenantRole;
  readonly weight: number;
  readonly cap: number;
}

export interface PhaseRecord {
  readonly phase: string;
  /** What takes a job out of its tenant's queue: the scheduler's release, or a worker's start (FIFO). */
  readonly dequeue: "release" | "start";
  /** False when nothing enforces caps (FIFO): caps then never hold a tenant back. */
  readonly enforcesCaps: boolean;
  readonly slots: number;
  readonly t0: number;
  readonly windowStart: number;
  readonly end: number;
  readonly windowMs: number;
  readonly tailMs: number;
  readonly tenants: readonly TenantTrack[];
  readonly jobs: readonly JobRecord[];
  /** Busy worker slots, sampled. */
  readonly busy: readonly { readonly t: number; readonly busy: number }[];
  readonly edit?: {
    readonly tenant: TenantId;
    readonly at: number;
    readonly fromCap: number;
    readonly toCap: number;
  };
}

export interface Waits {
  readonly n: number;
  /** Jobs not released (or started) by the end: their wait is a lower bound. */
  readonly censored: number;
  readonly p50: number | undefined;
  readonly p99: number | undefined;
  readonly max: number | undefined;
}

export interface TenantFigures {
  readonly id: TenantId;
  readonly role: TenantRole;
  readonly weight: number;
  readonly sent: number;
  readonly dequeued: number;
  readonly shareRatio: number | undefined;
  readonly shareWindows: number;
  readonly releaseWait: Waits;
  readonly startWait: Waits;
  readonly maxRunning: number;
}

export interface WindowFigures {
  readonly start: number;
  /** Dequeues per tenant (index as in `tenants`). */
  readonly dequeues: readonly number[];
  /** Per-window share ratio of tenants counted in that window (NaN when not counted). */
  readonly ratios: readonly number[];
  /** p99 queue wait (send → dequeue) of quiet jobs sent in this window (unfinished ones as lower bounds). */
  readonly quietP99: number | undefined;
}

type WindowCounts = Omit<WindowFigures, "quietP99">;

export interface PhaseFigures {
  readonly phase: string;
  readonly windowMs: number;
  readonly measuredMs: number;
  readonly dequeuesPerSecond: number;
  readonly tenants: readonly TenantFigures[];
  readonly minShare: number | undefined;
  readonly minShareTenant: TenantId | undefined;
  readonly jain: number | undefined;
  readonly backlogged: readonly TenantId[];
  readonly quietRelease: Waits;
  readonly quietStart: Waits;
  /** Release → worker claim of every job released in W: time spent on the work queue. */
  readonly pickup: Waits;
  readonly idle: {
    readonly pct: number;
    readonly workQueuedPct: number;
    readonly nothingReleasedPct: number;
  };
  readonly quotaApplyMs: number | undefined;
  /** Releases that took a tenant's running count above its cap (reconstructed; should be 0). */
  readonly capViolations: number;
  readonly windows: readonly WindowFigures[];
}

/** Event kinds, in the order they apply at equal times. */
const ARRIVE = 0;
const FINISH = 1;
const START = 2;
/** Released onto the work queue (Sluice's release; FIFO's producer send). */
const RELEASE = 3;
/** Leaves the tenant's queue: RELEASE for Sluice, START for FIFO. */
const DEQUEUE = 4;
type Ev = { t: number; kind: 0 | 1 | 2 | 3 | 4; i: number };

/** Per-tenant queued / running counts and the work queue's released-not-started count. */
class Replay {
  readonly queued: number[];
  readonly running: number[];
  pending = 0;
  constructor(n: number) {
    this.queued = new Array<number>(n).fill(0);
    this.running = new Array<number>(n).fill(0);
  }

  apply(e: Ev): void {
    if (e.kind === ARRIVE) this.queued[e.i]! += 1;
    else if (e.kind === DEQUEUE) {
      this.queued[e.i]! -= 1;
      this.running[e.i]! += 1;
    } else if (e.kind === FINISH) this.running[e.i]! -= 1;
    else if (e.kind === RELEASE) this.pending += 1;
    else this.pending -= 1;
  }
}

function events(rec: PhaseRecord, index: Map<TenantId, number>): Ev[] {
  const evs: Ev[] = [];
  for (const j of rec.jobs) {
    const i = index.get(j.tenant);
    if (i === undefined) continue;
    evs.push({ t: j.sentAt, kind: ARRIVE, i });
    const out = rec.dequeue === "release" ? j.releasedAt : j.startedAt;
    if (out !== undefined) evs.push({ t: out, kind: DEQUEUE, i });
    if (out !== undefined && j.finishedAt !== undefined) evs.push({ t: j.finishedAt, kind: FINISH, i });
    if (j.releasedAt !== undefined) evs.push({ t: j.releasedAt, kind: RELEASE, i });
    if (j.releasedAt !== undefined && j.startedAt !== undefined) evs.push({ t: j.startedAt, kind: START, i });
  }
  return evs.sort((a, b) => a.t - b.t || a.kind - b.kind);
}

function waits(values: readonly { v: number; censored: boolean }[]): Waits {
  const vs = values.map((x) => x.v);
  return {
    n: vs.length,
    censored: values.filter((x) => x.censored).length,
    p50: percentile(vs, 50),
    p99: percentile(vs, 99),
    max: vs.length === 0 ? undefined : Math.max(...vs),
  };
}

export function measurePhase(rec: PhaseRecord): PhaseFigures {
  const n = rec.tenants.length;
  const index = new Map(rec.tenants.map((t, i) => [t.id, i]));
  const capOf = (i: number, t: number): number => {
    const tr = rec.tenants[i]!;
    if (!rec.enforcesCaps) return Infinity;
    return rec.edit && rec.edit.tenant === tr.id && t >= rec.edit.at ? rec.edit.toCap : tr.cap;
  };
  const weightOf = (i: number): number | undefined => rec.tenants[i]?.weight;
  const evs = events(rec, index);

  // Sweep 1: shares per window, cap checks, quota apply.
  const r = new Replay(n);
  const meterStart = rec.windowStart - rec.windowMs;
  const meter = new ShareMeter(n, rec.windowMs, meterStart);
  const counted: WindowCounts[] = [];
  let windowEnd = meterStart + rec.windowMs;
  let counts = new Array<number>(n).fill(0);
  let prev = rec.tenants.map((_, i) => ({ ...meter.totals(i) }));
  const maxRunning = new Array<number>(n).fill(0);
  let capViolations = 0;
  let quotaApplyMs: number | undefined;
  const closeUntil = (t: number): void => {
    while (windowEnd <= t && windowEnd <= rec.end) {
      meter.advance(windowEnd, (i) => r.queued[i]!, weightOf);
      const now = rec.tenants.map((_, i) => ({ ...meter.totals(i) }));
      if (windowEnd > rec.windowStart) {
        const ratios = now.map((tot, i) => {
          const dr = tot.received - prev[i]!.received;
          const df = tot.fair - prev[i]!.fair;
          return tot.windows > prev[i]!.windows && df > 0 ? dr / df : Number.NaN;
        });
        counted.push({ start: windowEnd - rec.windowMs, dequeues: counts, ratios });
      }
      prev = now;
      counts = new Array<number>(n).fill(0);
      windowEnd += rec.windowMs;
    }
  };
  for (const e of evs) {
    if (e.t >= rec.end) break;
    closeUntil(e.t);
    r.apply(e);
    if (e.kind === DEQUEUE && e.t >= meterStart) {
      meter.onRelease(e.i);
      counts[e.i]! += 1;
      if (r.queued[e.i] === 0) meter.onQueueEmpty(e.i);
    }
    if (e.kind === DEQUEUE) {
      maxRunning[e.i] = Math.max(maxRunning[e.i]!, r.running[e.i]!);
      if (rec.enforcesCaps && r.running[e.i]! > capOf(e.i, e.t)) capViolations += 1;
      const ed = rec.edit;
      if (ed && quotaApplyMs === undefined && rec.tenants[e.i]!.id === ed.tenant && e.t >= ed.at)
        if (r.running[e.i]! > ed.fromCap) quotaApplyMs = e.t - ed.at;
    }
    if (e.t >= meterStart)
      for (let i = 0; i < n; i++)
        if (r.queued[i]! > 0 && r.running[i]! >= capOf(i, e.t)) meter.onHeldByOwnLimit(i);
  }
  closeUntil(rec.end);

  // Sweep 2: idle slot-time at the busy samples.
  const r2 = new Replay(n);
  const samples = [...rec.busy].sort((a, b) => a.t - b.t);
  let k = 0;
  let idleMs = 0;
  let idleQueuedMs = 0;
  for (let s = 0; s + 1 < samples.length; s++) {
    const a = samples[s]!;
    const from = Math.max(a.t, rec.windowStart);
    const to = Math.min(samples[s + 1]!.t, rec.end);
    while (k < evs.length && evs[k]!.t <= a.t) r2.apply(evs[k++]!);
    if (to <= from) continue;
    const runnable = r2.queued.some((q, i) => q > 0 && r2.running[i]! < capOf(i, a.t));
    if (!runnable) continue;
    const idle = Math.max(0, rec.slots - a.busy) * (to - from);
    idleMs += idle;
    if (r2.pending > 0) idleQueuedMs += idle;
  }
  const slotMs = rec.slots * (rec.end - rec.windowStart);

  // Waits.
  const judged = (j: JobRecord) => j.sentAt >= rec.windowStart && j.sentAt < rec.end - rec.tailMs;
  const waitOf = (j: JobRecord, at: number | undefined) =>
    at !== undefined && at < rec.end
      ? { v: at - j.sentAt, censored: false }
      : { v: rec.end - j.sentAt, censored: true };
  const byTenant = rec.tenants.map(() => ({
    rel: [] as { v: number; censored: boolean }[],
    st: [] as { v: number; censored: boolean }[],
  }));
  for (const j of rec.jobs) {
    const i = index.get(j.tenant);
    if (i === undefined || !judged(j)) continue;
    byTenant[i]!.rel.push(waitOf(j, j.releasedAt));
    byTenant[i]!.st.push(waitOf(j, j.startedAt));
  }
  const quietIdx = rec.tenants.flatMap((t, i) => (t.role === "quiet" ? [i] : []));
  const dequeuedAt = (j: JobRecord) => (rec.dequeue === "release" ? j.releasedAt : j.startedAt);
  const isQuiet = (j: JobRecord) => rec.tenants[index.get(j.tenant) ?? -1]?.role === "quiet";
  const windows: WindowFigures[] = counted.map((w) => {
    const sent = rec.jobs.filter(
      (j) => j.sentAt >= w.start && j.sentAt < w.start + rec.windowMs && judged(j) && isQuiet(j),
    );
    return {
      ...w,
      quietP99: percentile(
        sent.map((j) => waitOf(j, dequeuedAt(j)).v),
        99,
      ),
    };
  });

  const tenants: TenantFigures[] = rec.tenants.map((t, i) => {
    const tot = meter.totals(i);
    return {
      id: t.id,
      role: t.role,
      weight: t.weight,
      sent: rec.jobs.filter((j) => j.tenant === t.id).length,
      dequeued: windows.reduce((s, w) => s + (w.dequeues[i] ?? 0), 0),
      shareRatio: tot.windows > 0 && tot.fair > 0 ? tot.received / tot.fair : undefined,
      shareWindows: tot.windows,
      releaseWait: waits(byTenant[i]!.rel),
      startWait: waits(byTenant[i]!.st),
      maxRunning: maxRunning[i]!,
    };
  });
  const backlogged = tenants.filter((t) => t.shareRatio !== undefined);
  const ratios = backlogged.map((t) => t.shareRatio as number);
  const min = backlogged.reduce<TenantFigures | undefined>(
    (m, t) => (m === undefined || (t.shareRatio as number) < (m.shareRatio as number) ? t : m),
    undefined,
  );
  const measuredMs = rec.end - rec.windowStart;
  return {
    phase: rec.phase,
    windowMs: rec.windowMs,
    measuredMs,
    dequeuesPerSecond: (tenants.reduce((s, t) => s + t.dequeued, 0) * 1000) / measuredMs,
    tenants,
    minShare: min?.shareRatio,
    minShareTenant: min?.id,
    jain: jainIndex(ratios),
    backlogged: backlogged.map((t) => t.id),
    quietRelease: waits(quietIdx.flatMap((i) => byTenant[i]!.rel)),
    quietStart: waits(quietIdx.flatMap((i) => byTenant[i]!.st)),
    pickup: waits(
      rec.jobs.flatMap((j) =>
        j.releasedAt !== undefined && j.releasedAt >= rec.windowStart && j.releasedAt < rec.end - rec.tailMs
          ? [
              j.startedAt !== undefined && j.startedAt < rec.end
                ? { v: j.startedAt - j.releasedAt, censored: false }
                : { v: rec.end - j.releasedAt, censored: true },
            ]
          : [],
      ),
    ),
    idle: {
      pct: slotMs > 0 ? (100 * idleMs) / slotMs : 0,
      workQueuedPct: slotMs > 0 ? (100 * idleQueuedMs) / slotMs : 0,
      nothingReleasedPct: slotMs > 0 ? (100 * (idleMs - idleQueuedMs)) / slotMs : 0,
    },
    quotaApplyMs,
    capViolations,
    windows,
  };
}
