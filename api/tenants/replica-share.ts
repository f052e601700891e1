/**
 * One API replica's share of a tenant's edge rate: with `replicas` live API processes behind a load
 * balancer, each enforces `perSecond / replicas` with a burst of `ceil(burst / replicas)` (at least 1),
 * so the tenant gets its rate about once across the fleet, not once per replica (the bursts round up:
 * at most `replicas − 1` requests more than `burst` at once). A balancer that sends one replica more
 * of a tenant's requests makes that replica throttle sooner. Pure.
 */
import type { Rate } from "../../scheduler/quota/schema.ts";

export function replicaShare(rate: Rate, replicas: number): Rate {
  const n = Number.isFinite(replicas) && replicas > 1 ? Math.floor(replicas) : 1;
  if (n === 1) return rate;
  return { perSecond: rate.perSecond / n, burst: Math.max(1, Math.ceil(rate.burst / n)) };
}
