/**
 * The chaos run's fault schedule, a pure function of the seed and the options: SIGKILLs of a random
 * worker (or, every 8th, the scheduler) every `killEveryMs` on average (0.5–1.5× apart), one SIGTERM of a worker,
 * one restart of the MongoDB-wire server (at 30 % of the fault phase) and one of LocalStack (at 60 %).
 * Kills go on until `horizonMs` (default `durationMs`): the run stops them at the first one past
 * `durationMs` once every message is sent, so the faults cover the whole production however fast
 * the fleet is. Times are ms from the start of the fault phase; every event lies in [0, horizonMs).
 */
import { streamFor } from "../fairness/sim/prng.ts";

export type FaultKind =
  "kill-worker" | "kill-scheduler" | "term-worker" | "restart-mongo" | "restart-localstack";

export interface FaultEvent {
  readonly atMs: number;
  readonly kind: FaultKind;
  /** Which worker (0-based slot) a worker fault hits; 0 for the others. */
  readonly target: number;
}

export interface ScheduleOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly killEveryMs: number;
  readonly workers: number;
  /** Kills are scheduled up to here (≥ durationMs; default durationMs). */
  readonly horizonMs?: number;
  /** Every how-many-th kill hits the scheduler rather than a worker (default 8: the 4th, 12th, ...). */
  readonly schedulerEvery?: number;
}

/** Kills keep this far from the end, so the last one is not lost in the drain. */
const TAIL_MS = 1_000;

export function faultSchedule(o: ScheduleOptions): FaultEvent[] {
  if (!(o.durationMs > 0) || !(o.killEveryMs > 0) || !(o.workers >= 1)) {
    throw new Error("faultSchedule: durationMs, killEveryMs and workers must be positive");
  }
  const rng = streamFor(o.seed, "chaos-faults");
  const every = o.schedulerEvery ?? 8;
  let n = 0;
  const pickWorker = () => Math.min(o.workers - 1, Math.floor(rng.next() * o.workers));
  const events: FaultEvent[] = [
    { atMs: Math.round(o.durationMs * 0.3), kind: "restart-mongo", target: 0 },
    { atMs: Math.round(o.durationMs * 0.45), kind: "term-worker", target: pickWorker() },
    { atMs: Math.round(o.durationMs * 0.6), kind: "restart-localstack", target: 0 },
  ];
  const horizon = Math.max(o.durationMs, o.horizonMs ?? o.durationMs);
  for (let t = o.killEveryMs * (0.5 + rng.next()); t < horizon - TAIL_MS;) {
    const scheduler = n++ % every === Math.floor(every / 2) - 1;
    const target = pickWorker();
    events.push({
      atMs: Math.round(t),
      kind: scheduler ? "kill-scheduler" : "kill-worker",
      target: scheduler ? 0 : target,
    });
    t += o.killEveryMs * (0.5 + rng.next());
  }
  return events.sort((a, b) => a.atMs - b.atMs);
}

/** How many events of each kind a schedule holds (for the progress line and the results JSON). */
export function countKinds(events: readonly FaultEvent[]): Record<FaultKind, number> {
  const out: Record<FaultKind, number> = {
    "kill-worker": 0,
    "kill-scheduler": 0,
    "term-worker": 0,
    "restart-mongo": 0,
    "restart-localstack": 0,
  };
  for (const e of events) out[e.kind]++;
  return out;
}
