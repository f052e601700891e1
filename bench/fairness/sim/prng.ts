/**
 * Seeded pseudo-random numbers for the simulator (mulberry32: 32-bit state, fast, good enough for
 * workload generation; not for anything security-related). Every stream is derived from a seed and a
 * label, so one tenant's arrivals do not change when another tenant is added to a scenario.
 */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
}

export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** FNV-1a over the label, mixed with the seed. */
export function deriveSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function streamFor(seed: number, label: string): Prng {
  return mulberry32(deriveSeed(seed, label));
}

/** Exponentially distributed with the given mean. */
export function exponential(rng: Prng, mean: number): number {
  return -Math.log(1 - rng.next()) * mean;
}
