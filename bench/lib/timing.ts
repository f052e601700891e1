/**
 * Throughput measurement: warm up, then several measured rounds. Each round repeats a unit of work
 * (one execution) until the round lasts at least `roundMs`, and yields a rate in work units per
 * second (transitions/s). Reports the median rate and the min/max spread over rounds.
 *
 * `measureInterleaved` compares several variants fairly on a noisy machine: their rounds alternate
 * (A B C, B C A, C A B, ...), so a burst of load from elsewhere hits every variant alike.
 */
import { collectGarbage } from "./gc.ts";
import { spread, type Spread } from "./stats.ts";

/** One unit of work; returns how many work units (transitions) it performed. */
export type Work = () => number | Promise<number>;

export interface TimingOptions {
  /** Warm-up time before measuring (JIT, caches), milliseconds. */
  warmupMs: number;
  /** Measured rounds. */
  rounds: number;
  /** Minimum duration of one round, milliseconds. */
  roundMs: number;
}

export interface Throughput {
  /** Work units per second: median over rounds, and the slowest and fastest round. */
  rate: Spread;
  rounds: number;
  /** Calls to the work function over all measured rounds. */
  calls: number;
  /** Work units over all measured rounds. */
  units: number;
  /** Total measured time, milliseconds. */
  measuredMs: number;
}

const NS_PER_MS = 1_000_000n;

async function round(work: Work, minMs: number): Promise<{ calls: number; units: number; ns: bigint }> {
  const budget = BigInt(Math.round(minMs)) * NS_PER_MS;
  const start = process.hrtime.bigint();
  let calls = 0;
  let units = 0;
  let elapsed = 0n;
  do {
    const r = work();
    units += typeof r === "number" ? r : await r;
    calls++;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  return { calls, units, ns: elapsed };
}

export interface Variant {
  name: string;
  work: Work;
}

/** Accumulates the rounds of one variant. */
class Rounds {
  readonly rates: number[] = [];
  calls = 0;
  units = 0;
  ns = 0n;

  add(r: { calls: number; units: number; ns: bigint }): void {
    this.rates.push(r.units / (Number(r.ns) / 1e9));
    this.calls += r.calls;
    this.units += r.units;
    this.ns += r.ns;
  }

  result(): Throughput {
    const measuredMs = Number(this.ns) / 1e6;
    return {
      rate: spread(this.rates),
      rounds: this.rates.length,
      calls: this.calls,
      units: this.units,
      measuredMs,
    };
  }
}

export async function measureInterleaved(
  variants: readonly Variant[],
  opts: TimingOptions,
  onRound?: (round: number) => void,
): Promise<Map<string, Throughput>> {
  for (const v of variants) {
    collectGarbage();
    await round(v.work, opts.warmupMs);
  }
  const acc = variants.map(() => new Rounds());
  for (let i = 0; i < opts.rounds; i++) {
    onRound?.(i + 1);
    for (let j = 0; j < variants.length; j++) {
      const k = (i + j) % variants.length;
      collectGarbage();
      acc[k]!.add(await round(variants[k]!.work, opts.roundMs));
    }
  }
  return new Map(variants.map((v, k) => [v.name, acc[k]!.result()]));
}

export async function measureThroughput(work: Work, opts: TimingOptions): Promise<Throughput> {
  const results = await measureInterleaved([{ name: "work", work }], opts);
  return results.get("work")!;
}
