import type { Priority } from "../quota/priority.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { decide } from "./decide.ts";
import type { DecisionInput, FairShareOptions, Release } from "./decide.ts";
import { initialFairShareState } from "./state.ts";
import type { FairShareState } from "./state.ts";

/**
 * A release policy as the simulator (and a benchmark) drives it: the fair-share core wrapped with its
 * state, or a baseline. Policies are stateful objects but deterministic: same inputs, same outputs.
 */
export interface PolicyInput extends DecisionInput {
  /** Arrival time (ms) of the `index`-th oldest queued job of that class, or undefined. Baselines use it. */
  queuedArrival(tenantId: TenantId, priority: Priority, index: number): number | undefined;
}

export interface PolicyDecision {
  readonly releases: readonly Release[];
  readonly wakeAt?: number | undefined;
}

export interface Policy {
  readonly name: string;
  decide(input: PolicyInput): PolicyDecision;
}

/** The fair-share core, holding its state between decisions. `state()` exposes it for inspection. */
export function fairSharePolicy(options: FairShareOptions = {}): Policy & { state(): FairShareState } {
  let state = initialFairShareState();
  return {
    name: "fair-share",
    decide(input) {
      const decision = decide(state, input, options);
      state = decision.state;
      return decision;
    },
    state: () => state,
  };
}
