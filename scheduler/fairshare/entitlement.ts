/**
 * Each tenant's fair entitlement of the fleet right now (pure): weighted max-min fairness with
 * guaranteed minimums and caps, over tenants that want work (running + backlog > 0). The scheduler
 * reaches it over time through start-time fair queueing (decide.ts); this closed form is what
 * operators compare the measured shares with (the console's fairness chart, `sluice_tenant_fair_share`).
 *
 * Tenant i gets e_i(λ) = min(cap_i, max(lo_i, w_i·λ)) slots, where cap_i = min(demand_i, maxConcurrency_i)
 * and lo_i = min(minConcurrency_i, cap_i), with the water level λ chosen so that Σ e_i = slots (or
 * every tenant at its cap when there are slots to spare). Guaranteed minimums that together exceed the
 * fleet are scaled down in proportion.
 */
export interface EntitlementInput {
  readonly tenantId: string;
  readonly weight: number;
  readonly minConcurrency: number;
  readonly maxConcurrency: number;
  /** Jobs running plus jobs waiting. */
  readonly demand: number;
}

/** The parts of a tenant's quota its entitlement depends on. */
export interface EntitlementQuota {
  readonly status: "active" | "paused" | "suspended";
  readonly weight: number;
  readonly minConcurrency: number;
  readonly maxConcurrency: number;
}

/**
 * A tenant's entry for `entitlements` from its quota and what it has running and waiting: none without
 * a valid quota or when suspended (its work is rejected, not scheduled); a paused tenant is capped at
 * what it already runs (its backlog is held).
 */
export function entitlementInput(
  tenantId: string,
  quota: EntitlementQuota | undefined,
  running: number,
  backlog: number,
): EntitlementInput | undefined {
  if (quota === undefined || quota.status === "suspended") return undefined;
  return {
    tenantId,
    weight: quota.weight,
    minConcurrency: quota.minConcurrency,
    maxConcurrency: quota.status === "paused" ? running : quota.maxConcurrency,
    demand: running + backlog,
  };
}

/** Tenant → slots (fractional) it is entitled to; tenants without demand are absent. */
export function entitlements(tenants: readonly EntitlementInput[], slots: number): Map<string, number> {
  const out = new Map<string, number>();
  const wanting = tenants
    .filter((t) => t.demand > 0 && t.weight > 0)
    .map((t) => {
      const cap = Math.max(0, Math.min(t.demand, t.maxConcurrency));
      return { id: t.tenantId, w: t.weight, cap, lo: Math.max(0, Math.min(t.minConcurrency, cap)) };
    });
  if (slots <= 0 || wanting.length === 0) {
    for (const t of wanting) out.set(t.id, 0);
    return out;
  }
  const capSum = wanting.reduce((s, t) => s + t.cap, 0);
  if (capSum <= slots) {
    for (const t of wanting) out.set(t.id, t.cap);
    return out;
  }
  const loSum = wanting.reduce((s, t) => s + t.lo, 0);
  if (loSum >= slots) {
    for (const t of wanting) out.set(t.id, (t.lo * slots) / loSum);
    return out;
  }
  const at = (lambda: number) =>
    wanting.reduce((s, t) => s + Math.min(t.cap, Math.max(t.lo, t.w * lambda)), 0);
  // Σ e(λ) is continuous and non-decreasing; at λ = max(cap / w) every tenant is at its cap (> slots).
  let low = 0;
  let high = Math.max(...wanting.map((t) => t.cap / t.w));
  for (let i = 0; i < 100 && high - low > 1e-12 * high; i++) {
    const mid = (low + high) / 2;
    if (at(mid) < slots) low = mid;
    else high = mid;
  }
  for (const t of wanting) out.set(t.id, Math.min(t.cap, Math.max(t.lo, t.w * high)));
  return out;
}
