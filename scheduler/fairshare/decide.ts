/**
 * The fair-share decision core: which (tenant, priority) pairs to release into the free worker slots.
 * Pure and deterministic: no I/O, no clock, no randomness; time arrives as `now` (epoch ms) and all
 * memory between calls is the explicit, serializable `FairShareState` (see `state.ts`).
 *
 * Discipline: start-time fair queueing (SFQ, Goyal/Vin/Cheng 1996) over tenants, with a guaranteed-
 * minimum phase in front and caps, rate limits and status as eligibility filters (an mClock-like
 * reservation / weight / limit split, with reservations and limits on concurrency rather than tags).
 *
 * 1. Eligibility. A tenant can take a release when its quota is valid and `active`, it has backlog,
 *    `running + released < maxConcurrency`, its token bucket (if it has a `rate`) holds a token, and its
 *    daily quota is not used up. Ineligible tenants are skipped, never waited for: the capacity they
 *    cannot use goes to the others (work-conserving), and they earn no credit for it.
 * 2. Minimums. While an eligible tenant is below `minConcurrency`, it goes first, most under-served
 *    (running / minimum) first. These releases are charged to its virtual time like any other, so a
 *    minimum is a floor inside the tenant's share, not an addition to it.
 * 3. Share. Each tenant has a virtual start tag S = max(V, F) where F is the tag after its last release
 *    and V is the system virtual time (the tag of the last release). The eligible tenant with the
 *    smallest S is released, then F = S + 1 / weight. Ties go to the tenant with the fewest jobs running
 *    per unit of weight (a tenant that just woke up has none: it is not queued behind the busy tenants
 *    that share its tag, issue 13), then to the one with the shorter backlog (a sparse tenant before a
 *    bulk one, as FQ-CoDel serves new flows before old ones, RFC 8290: a tenant that woke with one job
 *    is not queued behind busy tenants that also have nothing running), then to the one with the oldest
 *    queued job when the snapshot says (`oldestQueuedAt`, FIFO within a round), then to the smaller
 *    tenant id. Ties only order releases within one virtual-time step, so no tie-break moves shares.
 *    A min-heap makes that O(log n) per release after an O(n) build.
 *
 * Cost. Only tenants with backlog can take a release, so a caller with many idle tenants passes just
 * the backlogged ones and names the rest in `retained`: their state is carried over exactly as if they
 * had been passed with no backlog (lead re-based on V, bucket refilled, dropped once default), and the
 * decision is the same (a unit property checks it). A decision then costs O(b log b + s) for b
 * backlogged tenants and s tenants with non-default state (recently served, rate-limited or aged),
 * whatever the number of idle tenants.
 *
 * Why SFQ rather than deficit round robin (DRR): DRR serves a weight-1000 tenant's whole quantum in one
 * burst, so a weight-1 tenant that wakes up waits behind up to 1000 releases, and a newcomer joins at
 * the tail of the round; its fairness is only per round. SFQ interleaves at single-release granularity
 * (the weight-1 tenant gets one release per ~1000 of the heavy one's, spread evenly), and a tenant that
 * becomes backlogged starts at V, so it is served after at most one release of each other backlogged
 * tenant whatever the weights: quiet tenants see almost no queueing behind a flood. It needs no job
 * lengths (unlike WFQ finish tags), the state is one number per tenant, and max(V, F) is exactly the
 * "no burst for newcomers or idlers" rule: nobody banks credit while idle, paused or capped.
 *
 * Cost unit: one release. With very different service times per tenant, shares are fair in jobs, not in
 * slot-time (see docs/adr/0001-fair-share.md).
 */
import { backlogTotal } from "../quota/priority.ts";
import type { Backlog, Priority } from "../quota/priority.ts";
import type { Quota } from "../quota/schema.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { MinHeap } from "./heap.ts";
import { DEFAULT_PRIORITY_AGING, pickPriority } from "./priority-pick.ts";
import type { Bypassed } from "./priority-pick.ts";
import type { FairShareState, TenantLaneState } from "./state.ts";
import { fullBucket, hasToken, isFull, nextTokenAt, refill, take } from "./token-bucket.ts";
import type { TokenBucket } from "./token-bucket.ts";

/** One tenant as the scheduler sees it at decision time. Pass every tenant with a quota; absent = forgotten. */
export interface TenantSnapshot {
  readonly tenantId: TenantId;
  /** Undefined when the tenant never had a valid quota document: not schedulable. */
  readonly quota: Quota | undefined;
  /** Queued, not yet released jobs per priority. */
  readonly backlog: Backlog;
  /** Jobs released and not yet finished (what counts against `maxConcurrency`). */
  readonly running: number;
  /** Releases so far in the current quota day; needed only when `dailyJobQuota` is set. */
  readonly releasedToday?: number;
  /** Arrival time (ms) of the tenant's oldest queued job, if known: breaks ties in virtual time FIFO. */
  readonly oldestQueuedAt?: number;
}

export interface DecisionInput {
  /** Epoch ms; only rate limits read it. */
  readonly now: number;
  readonly freeSlots: number;
  readonly tenants: readonly TenantSnapshot[];
  /**
   * Known tenants by id with their quota: those absent from `tenants` keep their state as if passed
   * with no backlog and this quota. So pass only backlogged tenants and every quota here. Absent and
   * not retained = forgotten (every absent tenant when this is not given).
   */
  readonly retained?: ReadonlyMap<TenantId, Quota | undefined>;
}

export type ReleaseReason = "minimum" | "share";

export interface Release {
  readonly tenantId: TenantId;
  readonly priority: Priority;
  readonly reason: ReleaseReason;
}

export interface Decision {
  /** In release order; at most `freeSlots`. */
  readonly releases: readonly Release[];
  /** The state to pass to the next decision. */
  readonly state: FairShareState;
  /** Earliest `now` at which a tenant held back only by its rate limit gets a token; call again then. */
  readonly wakeAt: number | undefined;
}

export interface FairShareOptions {
  /** Bypasses after which waiting normal/low work is released (see `priority-pick.ts`); Infinity = strict. */
  readonly priorityAging?: number;
}

interface Lane {
  readonly tenantId: TenantId;
  readonly quota: Quota | undefined;
  readonly remaining: Record<Priority, number>;
  readonly bypassed: Bypassed;
  /** Running plus released in this decision. */
  busy: number;
  /** Releases left under the daily quota (Infinity when none). */
  dailyLeft: number;
  bucket: TokenBucket | undefined;
  /** Virtual start tag of the next release, relative to V at the start of this decision. */
  start: number;
  total: number;
  /** Tie-break between equal start tags: older head job first (Infinity when unknown). */
  readonly oldest: number;
  /** Backlog at the start of the decision: between equal tags and loads, the sparser tenant goes first. */
  readonly queued: number;
}

/** Decides the releases for `input.freeSlots` slots. Does not mutate `state` or `input`. */
export function decide(
  state: FairShareState,
  input: DecisionInput,
  options: FairShareOptions = {},
): Decision {
  const aging = options.priorityAging ?? DEFAULT_PRIORITY_AGING;
  const lanes = buildLanes(state, input);
  const releases: Release[] = [];
  let free = Math.max(0, Math.floor(input.freeSlots));

  const release = (lane: Lane, reason: ReleaseReason): void => {
    const priority = pickPriority(lane.remaining, lane.bypassed, aging);
    lane.remaining[priority] -= 1;
    lane.total -= 1;
    lane.busy += 1;
    lane.dailyLeft -= 1;
    if (lane.bucket !== undefined) lane.bucket = take(lane.bucket);
    lane.start += 1 / (lane.quota as Quota).weight;
    releases.push({ tenantId: lane.tenantId, priority, reason });
    free -= 1;
  };

  // Phase 1: guaranteed minimums, most under-served first.
  const belowMin = (lane: Lane): boolean => lane.busy < (lane.quota as Quota).minConcurrency;
  const minHeap = new MinHeap(
    lessByMinimum,
    lanes.filter((l) => isEligible(l) && belowMin(l)),
  );
  while (free > 0) {
    const lane = minHeap.pop();
    if (lane === undefined) break;
    release(lane, "minimum");
    if (isEligible(lane) && belowMin(lane)) minHeap.push(lane);
  }

  // Phase 2: weighted fair share by smallest virtual start tag.
  let virtualTime = 0;
  const shareHeap = new MinHeap(lessByStart, lanes.filter(isEligible));
  while (free > 0) {
    const lane = shareHeap.pop();
    if (lane === undefined) break;
    virtualTime = Math.max(virtualTime, lane.start);
    release(lane, "share");
    if (isEligible(lane)) shareHeap.push(lane);
  }

  const next = nextState(lanes, virtualTime);
  if (input.retained !== undefined) carryRetained(state, input.retained, input, next, virtualTime);
  return { releases, state: next, wakeAt: earliestToken(lanes) };
}

/**
 * Carries the state of retained tenants absent from the snapshot into `next`, exactly as `nextState`
 * would have for them with no backlog: the lead re-based on the final V, the bucket refilled to `now`
 * (dropped once full), bypass counts kept. O(tenants in `state`).
 */
function carryRetained(
  state: FairShareState,
  retained: ReadonlyMap<TenantId, Quota | undefined>,
  input: DecisionInput,
  next: FairShareState,
  virtualTime: number,
): void {
  const passed = new Set(input.tenants.map((t) => t.tenantId));
  for (const [id, prev] of Object.entries(state.tenants)) {
    const tenantId = id as TenantId;
    if (passed.has(tenantId) || !retained.has(tenantId)) continue;
    const entry: TenantLaneState = {};
    const lead = (prev.lead ?? 0) - virtualTime;
    if (lead > 1e-12) entry.lead = lead;
    const rate = retained.get(tenantId)?.rate;
    if (prev.bucket !== undefined && rate !== undefined) {
      const bucket = refill(prev.bucket, rate, input.now);
      if (!isFull(bucket, rate)) entry.bucket = bucket;
    }
    if (prev.bypassed !== undefined && (prev.bypassed.normal > 0 || prev.bypassed.low > 0))
      entry.bypassed = { ...prev.bypassed };
    if (entry.lead !== undefined || entry.bucket !== undefined || entry.bypassed !== undefined)
      next.tenants[tenantId] = entry;
  }
}

function buildLanes(state: FairShareState, input: DecisionInput): Lane[] {
  const seen = new Set<TenantId>();
  const lanes: Lane[] = [];
  for (const t of input.tenants) {
    if (seen.has(t.tenantId)) throw new RangeError(`tenant ${t.tenantId} appears twice in the snapshot`);
    seen.add(t.tenantId);
    const prev: TenantLaneState | undefined = state.tenants[t.tenantId];
    const rate = t.quota?.rate;
    const daily = t.quota?.dailyJobQuota;
    const remaining = {
      high: nonNegativeInt(t.backlog.high),
      normal: nonNegativeInt(t.backlog.normal),
      low: nonNegativeInt(t.backlog.low),
    };
    const queued = backlogTotal(remaining);
    lanes.push({
      tenantId: t.tenantId,
      quota: t.quota,
      remaining,
      bypassed: { normal: prev?.bypassed?.normal ?? 0, low: prev?.bypassed?.low ?? 0 },
      busy: nonNegativeInt(t.running),
      dailyLeft: daily === undefined ? Infinity : daily - nonNegativeInt(t.releasedToday ?? 0),
      bucket:
        rate === undefined
          ? undefined
          : prev?.bucket
            ? refill(prev.bucket, rate, input.now)
            : fullBucket(rate, input.now),
      start: prev?.lead ?? 0,
      total: queued,
      oldest: t.oldestQueuedAt ?? Infinity,
      queued,
    });
  }
  return lanes;
}

/** Everything except the token bucket; shared by eligibility and the wake-up computation. */
function canRunIgnoringRate(lane: Lane): boolean {
  const q = lane.quota;
  return (
    q !== undefined &&
    q.status === "active" &&
    lane.total > 0 &&
    lane.busy < q.maxConcurrency &&
    lane.dailyLeft > 0
  );
}

function isEligible(lane: Lane): boolean {
  return canRunIgnoringRate(lane) && (lane.bucket === undefined || hasToken(lane.bucket));
}

function lessByStart(a: Lane, b: Lane): boolean {
  if (a.start !== b.start) return a.start < b.start;
  const la = a.busy / (a.quota as Quota).weight;
  const lb = b.busy / (b.quota as Quota).weight;
  if (la !== lb) return la < lb;
  if (a.queued !== b.queued) return a.queued < b.queued;
  if (a.oldest !== b.oldest) return a.oldest < b.oldest;
  return a.tenantId < b.tenantId;
}

function lessByMinimum(a: Lane, b: Lane): boolean {
  const ra = a.busy / (a.quota as Quota).minConcurrency;
  const rb = b.busy / (b.quota as Quota).minConcurrency;
  return ra < rb || (ra === rb && lessByStart(a, b));
}

/** Re-bases virtual tags on the final V and omits tenants whose state is the default. */
function nextState(lanes: readonly Lane[], virtualTime: number): FairShareState {
  const tenants: Record<string, TenantLaneState> = {};
  for (const lane of lanes) {
    const entry: TenantLaneState = {};
    const lead = lane.start - virtualTime;
    if (lead > 1e-12) entry.lead = lead;
    const rate = lane.quota?.rate;
    if (lane.bucket !== undefined && rate !== undefined && !isFull(lane.bucket, rate))
      entry.bucket = lane.bucket;
    if (lane.bypassed.normal > 0 || lane.bypassed.low > 0) entry.bypassed = { ...lane.bypassed };
    if (entry.lead !== undefined || entry.bucket !== undefined || entry.bypassed !== undefined) {
      tenants[lane.tenantId] = entry;
    }
  }
  return { v: 1, tenants };
}

function earliestToken(lanes: readonly Lane[]): number | undefined {
  let wakeAt: number | undefined;
  for (const lane of lanes) {
    const rate = lane.quota?.rate;
    if (lane.bucket === undefined || rate === undefined || hasToken(lane.bucket) || !canRunIgnoringRate(lane))
      continue;
    const at = nextTokenAt(lane.bucket, rate);
    if (wakeAt === undefined || at < wakeAt) wakeAt = at;
  }
  return wakeAt;
}

function nonNegativeInt(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
