/**
 * The fairness benchmark's workload: 20 tenants with mixed weights and caps (no rate limits, so
 * weights and caps are what is measured), the same arrivals in every phase (seeded per tenant).
 *
 * - `flood` (t00): dumps `flood` jobs (10,000) at the start; weight 3, cap = all slots.
 * - `bulk` (t01–t03): each dumps a backlog big enough to stay backlogged for the whole phase even
 *   without the flood; weights 2, 1 and 0.5. With the flood these four are the backlogged tenants
 *   whose share is measured.
 * - `capped` (t04): a backlog held by its own cap (1); mid-phase an operator raises the cap to 4 in
 *   MongoDB, and the benchmark times how long until a release reflects it.
 * - `quiet` (t05–t19): Poisson trickles of `quietPerSecond` each, weights 1–3, caps 2–5; judged by
 *   their queue wait, with and without the flood.
 *
 * Slot capacity is `workers × slotsPerWorker` slots running a step of `stepMs`; trickles use about a
 * fifth of it, the backlogged tenants compete for the rest.
 */
import { generateArrivals } from "./sim/workload.ts";
import { tenantId, type TenantId } from "../../shared/tenancy/tenant-id.ts";

export type TenantRole = "flood" | "bulk" | "capped" | "quiet";

export interface TenantPlan {
  readonly id: TenantId;
  readonly role: TenantRole;
  readonly weight: number;
  readonly maxConcurrency: number;
  readonly minConcurrency: number;
  /** Jobs already queued when the phase starts (sent before the scheduler and workers start). */
  readonly dump: number;
  /** Poisson arrivals per second during the phase (0 = none). */
  readonly perSecond: number;
}

export interface QuotaEdit {
  readonly tenant: TenantId;
  /** ms after the phase start. */
  readonly atMs: number;
  readonly fromCap: number;
  readonly toCap: number;
}

export interface Scenario {
  readonly seed: number;
  /** Fair-scheduler replicas sharing the tenants (`--schedulers N`, ADR 0024). */
  readonly schedulers: number;
  readonly workers: number;
  readonly slotsPerWorker: number;
  readonly stepMs: number;
  /** Phase length (ms) once scheduler and workers start; a multiple of `windowMs`. */
  readonly durationMs: number;
  /** Measurement starts this long after the phase start; a multiple of `windowMs`. */
  readonly warmupMs: number;
  /** Share measurement window. */
  readonly windowMs: number;
  /** Quiet jobs sent in the last `tailMs` are not judged (they may still be in flight at the end). */
  readonly tailMs: number;
  readonly tenants: readonly TenantPlan[];
  readonly edit: QuotaEdit;
}

export interface ScenarioOptions {
  readonly flood: number;
  readonly durationMs: number;
  readonly workers: number;
  readonly slotsPerWorker: number;
  readonly stepMs: number;
  readonly quietPerSecond: number;
  readonly seed: number;
  readonly schedulers: number;
}

export const DEFAULT_OPTIONS: ScenarioOptions = {
  flood: 10_000,
  durationMs: 60_000,
  workers: 2,
  slotsPerWorker: 8,
  stepMs: 400,
  quietPerSecond: 0.4,
  seed: 7,
  schedulers: 1,
};

const QUIET_WEIGHTS = [1, 2, 3];
const QUIET_CAPS = [2, 3, 5];

export function buildScenario(o: ScenarioOptions): Scenario {
  const windowMs = 2000;
  const slots = o.workers * o.slotsPerWorker;
  // Releases per second the slots can take, ignoring overheads; sizes the bulk backlogs so they stay
  // backlogged for the whole phase even when the flood is absent (they then share its capacity).
  const capacity = (slots * 1000) / o.stepMs;
  const phaseSeconds = o.durationMs / 1000;
  const bulkDump = (w: number): number => Math.ceil((capacity * phaseSeconds * w) / 3.5 / 10) * 10 + 100;
  const id = (i: number) => tenantId(`t${String(i).padStart(2, "0")}`);
  const tenants: TenantPlan[] = [
    {
      id: id(0),
      role: "flood",
      weight: 3,
      maxConcurrency: slots,
      minConcurrency: 0,
      dump: o.flood,
      perSecond: 0,
    },
    {
      id: id(1),
      role: "bulk",
      weight: 2,
      maxConcurrency: slots,
      minConcurrency: 0,
      dump: bulkDump(2),
      perSecond: 0,
    },
    {
      id: id(2),
      role: "bulk",
      weight: 1,
      maxConcurrency: 8,
      minConcurrency: 0,
      dump: bulkDump(1),
      perSecond: 0,
    },
    {
      id: id(3),
      role: "bulk",
      weight: 0.5,
      maxConcurrency: 6,
      minConcurrency: 0,
      dump: bulkDump(0.5),
      perSecond: 0,
    },
    {
      id: id(4),
      role: "capped",
      weight: 2,
      maxConcurrency: 1,
      minConcurrency: 0,
      dump: Math.ceil((phaseSeconds * 4 * 1000) / o.stepMs),
      perSecond: 0,
    },
  ];
  for (let i = 5; i < 20; i++) {
    tenants.push({
      id: id(i),
      role: "quiet",
      weight: QUIET_WEIGHTS[i % 3]!,
      maxConcurrency: QUIET_CAPS[Math.floor(i / 3) % 3]!,
      minConcurrency: i === 5 ? 1 : 0,
      dump: 0,
      perSecond: o.quietPerSecond,
    });
  }
  const roundDown = (ms: number) => Math.floor(ms / windowMs) * windowMs;
  return {
    seed: o.seed,
    schedulers: Math.max(1, Math.floor(o.schedulers)),
    workers: o.workers,
    slotsPerWorker: o.slotsPerWorker,
    stepMs: o.stepMs,
    durationMs: Math.max(roundDown(o.durationMs), 4 * windowMs),
    warmupMs: Math.max(windowMs, roundDown(o.durationMs / 12)),
    windowMs,
    tailMs: 2000,
    tenants,
    edit: { tenant: id(4), atMs: roundDown(o.durationMs * 0.6) + 300, fromCap: 1, toCap: 4 },
  };
}

/** A phase's variant of the scenario: with or without the flood tenant's dump. */
export function withoutFlood(s: Scenario): Scenario {
  return { ...s, tenants: s.tenants.map((t) => (t.role === "flood" ? { ...t, dump: 0 } : t)) };
}

/** Trickle arrival times (ms after the phase start) of one tenant; identical in every phase. */
export function trickleTimes(s: Scenario, t: TenantPlan): number[] {
  if (t.perSecond <= 0) return [];
  return generateArrivals(s.seed, t.id, [{ kind: "trickle", perSecond: t.perSecond, until: s.durationMs }], {
    kind: "fixed",
    ms: s.stepMs,
  }).map((b) => b.at);
}

export function totalSlots(s: Scenario): number {
  return s.workers * s.slotsPerWorker;
}
