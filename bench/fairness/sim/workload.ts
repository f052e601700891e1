import type { Priority } from "../../../scheduler/quota/priority.ts";
import type { TenantId } from "../../../shared/tenancy/tenant-id.ts";
import { exponential, streamFor } from "./prng.ts";

/** How jobs of one tenant arrive in a simulation. Times are ms from the simulation start. */
export type ArrivalSpec =
  /** `count` jobs all at once at `at` (a backlog dump). */
  | { readonly kind: "flood"; readonly at: number; readonly count: number; readonly priority?: Priority }
  /** A steady stream: Poisson by default, or evenly spaced with `even: true`. */
  | {
      readonly kind: "trickle";
      readonly perSecond: number;
      readonly from?: number;
      readonly until: number;
      readonly even?: boolean;
      readonly priority?: Priority;
    };

export type ServiceSpec =
  | { readonly kind: "fixed"; readonly ms: number }
  | { readonly kind: "exponential"; readonly meanMs: number }
  | { readonly kind: "uniform"; readonly minMs: number; readonly maxMs: number };

export interface SimJob {
  readonly arrival: number;
  readonly serviceMs: number;
}

export interface ArrivalBatch {
  readonly at: number;
  readonly priority: Priority;
  readonly jobs: readonly SimJob[];
}

/**
 * Generates a tenant's arrivals. The random streams depend only on the seed and the tenant id, so a
 * tenant's workload is identical whichever other tenants share the scenario.
 */
export function generateArrivals(
  seed: number,
  tenantId: TenantId,
  arrivals: readonly ArrivalSpec[],
  service: ServiceSpec,
): ArrivalBatch[] {
  const arrivalRng = streamFor(seed, `arrivals:${tenantId}`);
  const serviceRng = streamFor(seed, `service:${tenantId}`);
  const serviceMs = (): number => {
    switch (service.kind) {
      case "fixed":
        return service.ms;
      case "exponential":
        return exponential(serviceRng, service.meanMs);
      case "uniform":
        return service.minMs + serviceRng.next() * (service.maxMs - service.minMs);
    }
  };
  const batches: ArrivalBatch[] = [];
  for (const spec of arrivals) {
    const priority = spec.priority ?? "normal";
    if (spec.kind === "flood") {
      const jobs = Array.from({ length: spec.count }, () => ({ arrival: spec.at, serviceMs: serviceMs() }));
      batches.push({ at: spec.at, priority, jobs });
      continue;
    }
    const gap = 1000 / spec.perSecond;
    let t = (spec.from ?? 0) + (spec.even ? gap : exponential(arrivalRng, gap));
    while (t < spec.until) {
      batches.push({ at: t, priority, jobs: [{ arrival: t, serviceMs: serviceMs() }] });
      t += spec.even ? gap : exponential(arrivalRng, gap);
    }
  }
  return batches;
}
