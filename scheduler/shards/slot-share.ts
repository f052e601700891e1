/**
 * The backlogged weight a scheduler replica publishes in its heartbeat, for operators (`sluice fleet`,
 * the console's fleet page). It no longer divides the slots: replicas share the free slots by the
 * water-filling over their per-tenant claims (`slot-division.ts`, ADR 0029), which replaced the division
 * in proportion to this weight (ADR 0024).
 */

/**
 * The weight a replica publishes: Σ weight of its tenants that could take a slot now (active, with
 * backlog, below their cap). A tenant at its cap or paused would not use a slot, so it claims none.
 */
export function backloggedWeight(
  tenants: Iterable<{
    readonly quota:
      { readonly status: string; readonly weight: number; readonly maxConcurrency: number } | undefined;
    readonly backlog: { readonly high: number; readonly normal: number; readonly low: number };
    readonly running: number;
  }>,
): number {
  let sum = 0;
  for (const t of tenants) {
    const backlog = t.backlog.high + t.backlog.normal + t.backlog.low;
    const q = t.quota;
    if (q !== undefined && q.status === "active" && backlog > 0 && t.running < q.maxConcurrency)
      sum += q.weight;
  }
  return sum;
}
