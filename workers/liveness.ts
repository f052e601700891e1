/**
 * Is this worker alive, and what to do if not (pure; `Watchdog` applies it).
 *
 * A worker is live when its intake (the `WorkFeeder`) polls while it has free slots and its
 * dependencies answer. The failure this guards against (issue 9 bug A) is silent: a feeder that no
 * longer polls logs nothing, and its heartbeats kept reporting free slots. So liveness is judged from
 * what the feeder did, not from what it says:
 *
 * - stalled: free slots, intake open, and no receive out or scheduled: the last receive went out
 *   more than `stallMs` ago and none is in flight, or the one in flight is older than
 *   `hungReceiveMs` (a hung connection; a long poll returns within its wait). → restart the feeder.
 * - unreachable: receives keep failing (or the feeder keeps stalling) with no successful receive for
 *   `exitAfterMs` while it has free slots, or the feeder stalled again after `maxRestarts` restarts
 *   without a successful receive in between, or a required dependency (MongoDB) has been down for
 *   `exitAfterMs`. → exit non-zero, so a supervisor replaces the process.
 *
 * `healthy` is what the capacity heartbeat reports: false while receives fail, while the feeder is
 * stalled, or while a dependency is down. The scheduler counts no free slot for an unhealthy worker.
 */
import type { FeederLiveness } from "./work-feeder.ts";

export interface LivenessPolicy {
  /** A feeder with free slots that sent no receive for this long is stalled. */
  readonly stallMs: number;
  /** A receive in flight this long is hung (long poll wait + margin). */
  readonly hungReceiveMs: number;
  /** Restarts without a successful receive in between before the worker gives up. */
  readonly maxRestarts: number;
  /** A dependency unreachable this long: the process exits non-zero. */
  readonly exitAfterMs: number;
}

export interface WatchdogInput {
  readonly feeder: FeederLiveness;
  /** Feeder restarts since its last successful receive. */
  readonly restartsSinceOk: number;
  /** How long a required dependency (MongoDB) has been unreachable; undefined while it answers. */
  readonly dependencyDownMs: number | undefined;
}

export type WatchdogVerdict =
  | { readonly kind: "ok"; readonly healthy: boolean }
  | { readonly kind: "restart"; readonly reason: string }
  | { readonly kind: "exit"; readonly reason: string };

/** Why the feeder is stalled, or undefined when it is not. */
export function feederStall(f: FeederLiveness, p: LivenessPolicy): string | undefined {
  if (!f.started || f.stopped || !f.open || f.free <= 0) return undefined;
  const hung = f.inFlightSince.filter((at) => f.now - at >= p.hungReceiveMs);
  if (f.inFlightSince.length > 0) {
    return hung.length === f.inFlightSince.length
      ? `receive in flight for ${Math.round(f.now - Math.min(...hung))} ms`
      : undefined;
  }
  const idle = f.now - Math.max(f.lastReceiveAt ?? 0, f.lastOkAt, f.restartedAt ?? 0);
  return idle >= p.stallMs ? `no receive for ${Math.round(idle)} ms with ${f.free} free slot(s)` : undefined;
}

export function judgeLiveness(input: WatchdogInput, p: LivenessPolicy): WatchdogVerdict {
  const f = input.feeder;
  if (input.dependencyDownMs !== undefined && input.dependencyDownMs >= p.exitAfterMs) {
    return { kind: "exit", reason: `MongoDB unreachable for ${Math.round(input.dependencyDownMs)} ms` };
  }
  const wantsWork = f.started && !f.stopped && f.open && f.free > 0;
  const sinceOk = f.now - f.lastOkAt;
  if (wantsWork && f.failures > 0 && sinceOk >= p.exitAfterMs) {
    return {
      kind: "exit",
      reason: `work queue unreachable for ${Math.round(sinceOk)} ms (${f.failures} failed receives)`,
    };
  }
  const stall = feederStall(f, p);
  if (stall !== undefined) {
    if (input.restartsSinceOk >= p.maxRestarts) {
      return { kind: "exit", reason: `intake stalled after ${input.restartsSinceOk} restarts: ${stall}` };
    }
    return { kind: "restart", reason: stall };
  }
  return { kind: "ok", healthy: f.failures === 0 && input.dependencyDownMs === undefined };
}
