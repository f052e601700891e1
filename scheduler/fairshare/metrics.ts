/** Small numeric helpers for fairness and latency reports. */

/** Jain's fairness index: 1 when all values are equal, 1/n when one takes everything. */
export function jainIndex(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  let sum = 0;
  let sumSq = 0;
  for (const v of values) {
    sum += v;
    sumSq += v * v;
  }
  return sumSq === 0 ? 1 : (sum * sum) / (values.length * sumSq);
}

/** Nearest-rank percentile (p in 0..100) of an unsorted sample; undefined when empty. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/**
 * Weighted max-min fair allocation ("water-filling") of `capacity` units over claimants with demands:
 * nobody gets more than it asks for, and what the satisfied leave over is split by weight.
 */
export function waterFill(capacity: number, claims: readonly { demand: number; weight: number }[]): number[] {
  const alloc = claims.map(() => 0);
  const order = claims
    .map((c, i) => ({ i, level: c.demand / c.weight }))
    .filter((_, i) => (claims[i]?.demand ?? 0) > 0)
    .sort((a, b) => a.level - b.level);
  let left = capacity;
  let weightLeft = order.reduce((s, o) => s + (claims[o.i]?.weight ?? 0), 0);
  for (const { i, level } of order) {
    const claim = claims[i];
    if (claim === undefined || weightLeft <= 0) break;
    const fairLevel = left / weightLeft;
    const give = level <= fairLevel ? claim.demand : fairLevel * claim.weight;
    alloc[i] = give;
    left -= give;
    weightLeft -= claim.weight;
  }
  return alloc;
}
