/** Small statistics helpers for benchmark samples. */

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Running mean and maximum of a stream of sizes, without keeping the samples. */
export class SizeStats {
  count = 0;
  total = 0;
  max = 0;

  add(size: number): void {
    this.count++;
    this.total += size;
    if (size > this.max) this.max = size;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }
}
