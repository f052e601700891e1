import type { TenantSnapshot } from "../fairshare/decide.ts";
import type { FairShareState } from "../fairshare/state.ts";
import { hasToken, refill } from "../fairshare/token-bucket.ts";
import type { Quota } from "../quota/schema.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { UsageSnapshot } from "../../shared/usage/usage-store.ts";
import type { Backlog } from "../quota/priority.ts";
import type { SchedulerMetrics, ThrottleReason } from "./metrics.ts";

/** What the last tick saw of one tenant. */
export interface TenantTickView {
  readonly quota: Quota | undefined;
  /** Messages queued (buffered + estimated on the queue); 0 for a suspended tenant. */
  readonly backlog: number;
  readonly running: number;
  /** Set when the tenant had backlog, got no release, and its own limit or status is why. */
  readonly held: ThrottleReason | undefined;
}

/**
 * Why a backlogged tenant got nothing in a decision, if it was its own limit or status (rather than
 * no free slots, or its fair share going to others). Pure: reads the snapshot and the decision's state.
 */
export function heldBy(s: TenantSnapshot, state: FairShareState, now: number): ThrottleReason | undefined {
  const q = s.quota;
  if (q === undefined) return "no-quota";
  if (q.status === "paused") return "paused";
  if (q.status !== "active") return undefined;
  if (s.running >= q.maxConcurrency) return "cap";
  if (q.dailyJobQuota !== undefined && (s.releasedToday ?? 0) >= q.dailyJobQuota) return "daily";
  const bucket = state.tenants[s.tenantId]?.bucket;
  if (q.rate !== undefined && bucket !== undefined && !hasToken(refill(bucket, q.rate, now))) return "rate";
  return undefined;
}

export interface SummaryLine {
  readonly tenantId: TenantId;
  readonly status: string;
  readonly released: number;
  readonly rejected: number;
  readonly throttled: number;
  readonly backlog: number;
  readonly running: string;
  readonly held: ThrottleReason | undefined;
  readonly waitP99Ms: number | undefined;
}

/**
 * Per-tenant summary lines since the last call (deltas kept in `base`), for tenants with any activity,
 * backlog or running work. `running` reads `n/cap`.
 */
export function summaryLines(
  views: ReadonlyMap<TenantId, TenantTickView>,
  metrics: SchedulerMetrics,
  base: Map<TenantId, { released: number; rejected: number; throttled: number }>,
): SummaryLine[] {
  const snap = metrics.snapshot();
  const lines: SummaryLine[] = [];
  for (const [tenantId, view] of views) {
    const m = snap[tenantId];
    const now = {
      released: m?.released ?? 0,
      rejected: m?.rejected ?? 0,
      throttled: m === undefined ? 0 : Object.values(m.throttled).reduce((a, b) => a + b, 0),
    };
    const prev = base.get(tenantId) ?? { released: 0, rejected: 0, throttled: 0 };
    base.set(tenantId, now);
    const line: SummaryLine = {
      tenantId,
      status: view.quota?.status ?? "no-quota",
      released: now.released - prev.released,
      rejected: now.rejected - prev.rejected,
      throttled: now.throttled - prev.throttled,
      backlog: view.backlog,
      running: `${view.running}/${view.quota?.maxConcurrency ?? 0}`,
      held: view.held,
      waitP99Ms: m?.waitP99Ms,
    };
    if (line.released + line.rejected + line.throttled + line.backlog + view.running > 0) lines.push(line);
  }
  return lines;
}

export interface TickViewsInput {
  readonly quotas: ReadonlyMap<TenantId, Quota>;
  readonly usage: ReadonlyMap<TenantId, UsageSnapshot>;
  /** Owned tenants that never had a valid quota. */
  readonly noQuota: readonly TenantId[];
  /** Tenants the tick's decision released. */
  readonly released: ReadonlySet<TenantId>;
  readonly lanes: { lane(tenant: TenantId): { readonly total: number; backlog(): Backlog } };
  readonly state: FairShareState;
  readonly now: number;
}

/**
 * What a tick saw per tenant (backlog, running, why held: `heldBy`), and the backlog waiting only
 * for a slot or its cap (how soon the loop ticks again). Pure over its inputs.
 */
export function tickViews(input: TickViewsInput): {
  views: Map<TenantId, TenantTickView>;
  waitingForSlots: number;
} {
  const { quotas, usage, noQuota, released, lanes, state, now } = input;
  let waitingForSlots = 0;
  const views = new Map<TenantId, TenantTickView>();
  for (const [tenantId, quota] of quotas) {
    const lane = lanes.lane(tenantId);
    const backlog = quota.status === "suspended" ? 0 : lane.total;
    const u = usage.get(tenantId);
    const running = u?.running ?? 0;
    let held: TenantTickView["held"];
    if (!released.has(tenantId) && backlog > 0)
      held = heldBy(
        { tenantId, quota, backlog: lane.backlog(), running, releasedToday: u?.releasedToday ?? 0 },
        state,
        now,
      );
    if (!released.has(tenantId) && (held === undefined || held === "cap")) waitingForSlots += backlog;
    views.set(tenantId, { quota, backlog, running, held });
  }
  for (const t of noQuota) {
    const backlog = lanes.lane(t).total;
    views.set(t, { quota: undefined, backlog, running: 0, held: backlog > 0 ? "no-quota" : undefined });
  }
  return { views, waitingForSlots };
}

/** A tenant another replica serves, as this one last saw it (fleet-wide fair shares, ADR 0029). */
export interface PeerTenantView {
  readonly quota: Quota | undefined;
  readonly running: number;
  /** Its claim as last read from its owner (at most its cap): the backlog this replica knows of. */
  readonly backlog: number;
}

/**
 * The tenants `served` does not hold that want slots as far as this replica knows (jobs running by
 * the shared counters, or a claim published by their owner), with their quotas (pure). Beside a
 * replica's own views they make the fleet-wide demand its reported fair shares are computed over:
 * without them each replica would share the fleet among its own tenants only.
 */
export function peerTenantViews(
  served: ReadonlyMap<TenantId, unknown>,
  usage: ReadonlyMap<TenantId, { readonly running: number }>,
  claims: ReadonlyMap<string, number>,
  quotas: ReadonlyMap<TenantId, Quota>,
): Map<TenantId, PeerTenantView> {
  const out = new Map<TenantId, PeerTenantView>();
  const add = (t: TenantId) => {
    if (served.has(t) || out.has(t)) return;
    const running = Math.max(0, usage.get(t)?.running ?? 0);
    const backlog = Math.max(0, claims.get(t) ?? 0);
    if (running + backlog > 0) out.set(t, { quota: quotas.get(t), running, backlog });
  };
  for (const t of usage.keys()) add(t);
  for (const t of claims.keys()) add(t as TenantId);
  return out;
}
