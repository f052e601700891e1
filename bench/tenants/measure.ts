/** The tenants benchmark's figures from what it recorded (pure). */
import { percentile } from "../../scheduler/fairshare/metrics.ts";

export interface Probe {
  readonly tenant: string;
  readonly sentAt: number;
  readonly messageId?: string;
  /** Its idempotency key (the job document's). */
  readonly key?: string;
  /** When the scheduler's receive carrying it was answered (seen by the counting proxy). */
  readonly carriedAt?: number;
  /** That receive's WaitTimeSeconds (> 0: a long poll). */
  readonly carrierWaitSeconds?: number;
  /** Release time (the job document's createdAt), if it was released. */
  readonly releasedAt?: number;
}

export interface BusyShare {
  readonly tenant: string;
  readonly weight: number;
  readonly released: number;
  /** Share of the busy tenants' releases in the window. */
  readonly share: number;
  /** weight / sum of weights. */
  readonly fairShare: number;
}

export interface Targets {
  readonly reqPerTenantS: number;
  readonly pickupP99Ms: number;
  readonly cpuPct: number;
  readonly decisionP99Ms: number;
}

export const TARGETS: Targets = { reqPerTenantS: 0.1, pickupP99Ms: 1000, cpuPct: 15, decisionP99Ms: 5 };

/** Requests per second per tenant over `tenants` tenants and `windowMs`. */
export function perTenantRate(requests: number, tenants: number, windowMs: number): number {
  return tenants === 0 || windowMs <= 0 ? 0 : requests / tenants / (windowMs / 1000);
}

export function pickup(probes: readonly Probe[]): {
  n: number;
  released: number;
  p50: number | undefined;
  p99: number | undefined;
  max: number | undefined;
} {
  const waits = probes.flatMap((p) => (p.releasedAt === undefined ? [] : [p.releasedAt - p.sentAt]));
  return {
    n: probes.length,
    released: waits.length,
    p50: percentile(waits, 50),
    // A probe never released counts as missing the target: it is reported, and p99 is Infinity.
    p99: waits.length < probes.length ? Infinity : percentile(waits, 99),
    max: waits.length === 0 ? undefined : Math.max(...waits),
  };
}

export function shares(busy: readonly { tenant: string; weight: number; released: number }[]): BusyShare[] {
  const total = busy.reduce((s, b) => s + b.released, 0);
  const weights = busy.reduce((s, b) => s + b.weight, 0);
  return busy.map((b) => ({
    ...b,
    share: total === 0 ? 0 : b.released / total,
    fairShare: weights === 0 ? 0 : b.weight / weights,
  }));
}

export interface Headline {
  readonly tenants: number;
  readonly reqPerTenantS: number;
  readonly pickupP99Ms: number;
  readonly cpuPct: number;
  readonly decisionP99Ms: number;
}

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "inf");

export function finalLine(h: Headline): string {
  return (
    `tenants: ${h.tenants} tenants, idle-req-per-tenant-s ${fmt(h.reqPerTenantS, 3)}, ` +
    `idle-pickup-p99-ms ${fmt(h.pickupP99Ms, 0)}, scheduler-cpu-pct ${fmt(h.cpuPct, 1)}, ` +
    `decision-p99-ms ${fmt(h.decisionP99Ms, 3)}`
  );
}

export function misses(h: Headline, t: Targets = TARGETS): string[] {
  const out: string[] = [];
  if (!(h.reqPerTenantS <= t.reqPerTenantS))
    out.push(`idle-req-per-tenant-s ${fmt(h.reqPerTenantS, 3)} > ${t.reqPerTenantS}`);
  if (!(h.pickupP99Ms <= t.pickupP99Ms))
    out.push(`idle-pickup-p99-ms ${fmt(h.pickupP99Ms, 0)} > ${t.pickupP99Ms}`);
  if (!(h.cpuPct <= t.cpuPct)) out.push(`scheduler-cpu-pct ${fmt(h.cpuPct, 1)} > ${t.cpuPct}`);
  if (!(h.decisionP99Ms <= t.decisionP99Ms))
    out.push(`decision-p99-ms ${fmt(h.decisionP99Ms, 3)} > ${t.decisionP99Ms}`);
  return out;
}

/** One phase's figures for the final line (the idle window's R and C, the loaded window's P and D). */
export interface PhaseHeadline {
  readonly reqPerTenantS: number;
  readonly pickupP99Ms: number;
  readonly cpuPct: number;
  readonly decisionP99Ms: number;
}

/**
 * The final line's figures: for each, the worse of the phases (one scheduler; two replicas, whose
 * CPU is the sum over the replica processes), so a target met in one phase and missed in the other
 * shows as missed.
 */
export function worstOf(tenants: number, phases: readonly PhaseHeadline[]): Headline {
  const worst = (f: (p: PhaseHeadline) => number) =>
    phases.length === 0 ? Infinity : Math.max(...phases.map(f));
  return {
    tenants,
    reqPerTenantS: worst((p) => p.reqPerTenantS),
    pickupP99Ms: worst((p) => p.pickupP99Ms),
    cpuPct: worst((p) => p.cpuPct),
    decisionP99Ms: worst((p) => p.decisionP99Ms),
  };
}
