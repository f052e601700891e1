/**
 * What the slow decisions of a scheduler process are made of (pure): each timed `decide()` whose wall
 * time is over `slowMs` is put down to the thread waiting for a CPU (preempted by the OS on a loaded
 * machine: at least half its wall time on a run queue, `scheduler/loop/run-queue-wait.ts`), else to a
 * GC pause that overlapped it (V8's `gc` performance entries, recorded by the process), else to the
 * decision's own work.
 */
import type { DecisionSample } from "../../scheduler/loop/metrics.ts";

export interface GcEvent {
  /** `performance.now()` time the pause started. */
  readonly at: number;
  readonly ms: number;
}

export interface DecisionBreakdown {
  readonly decisions: number;
  readonly slowMs: number;
  readonly slow: number;
  /** Slow decisions that spent at least half their wall time waiting for a CPU. */
  readonly preempted: number;
  /** The other slow decisions with a GC pause inside them. */
  readonly gc: number;
  /** The rest: the decision's own CPU work. */
  readonly work: number;
  /** Σ wall time of the slow decisions, of their run-queue waits, and of the GC pauses inside them (ms). */
  readonly slowWallMs: number;
  readonly waitInSlowMs: number;
  readonly gcInSlowMs: number;
}

export function decisionBreakdown(
  samples: readonly DecisionSample[],
  gcs: readonly GcEvent[],
  slowMs = 1,
): DecisionBreakdown {
  let slow = 0;
  let gc = 0;
  let preempted = 0;
  let work = 0;
  let slowWallMs = 0;
  let waitInSlowMs = 0;
  let gcInSlowMs = 0;
  const sorted = [...gcs].sort((a, b) => a.at - b.at);
  for (const d of samples) {
    if (d.wallMs <= slowMs) continue;
    slow += 1;
    slowWallMs += d.wallMs;
    waitInSlowMs += d.waitMs;
    const end = d.at + d.wallMs;
    let overlap = 0;
    for (const g of sorted) {
      if (g.at >= end) break;
      const o = Math.min(end, g.at + g.ms) - Math.max(d.at, g.at);
      if (o > 0) overlap += o;
    }
    gcInSlowMs += overlap;
    if (d.waitMs >= d.wallMs / 2) preempted += 1;
    else if (overlap > 0) gc += 1;
    else work += 1;
  }
  return {
    decisions: samples.length,
    slowMs,
    slow,
    preempted,
    gc,
    work,
    slowWallMs,
    waitInSlowMs,
    gcInSlowMs,
  };
}
