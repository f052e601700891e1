/**
 * When a job run writes its progress (the checkpoint policy of the embedded ASL runner, pure).
 *
 * Consecutive pure transitions (Pass, Choice, entering a Task, a Wait or a Parallel/Map, a task
 * result fed back and whatever follows from it) are coalesced. A checkpoint is written only before
 * something outside the worker can see the execution's progress, and it carries everything since the
 * last one. The reasoning (replay, derived clock of a new execution's first stretch) is in
 * workers/job-runner.ts.
 */

/**
 * Pure transitions run without a write at most this many in a row; then the progress is checkpointed
 * anyway (bounds the work a crash throws away and the time between two awaits in a pure loop).
 */
export const MAX_UNWRITTEN_TRANSITIONS = 1000;

/** What the run is about to do next. */
export type NextEffect =
  /** A pure transition was just made (nobody outside the worker sees it). */
  | "transition"
  /** Task effects are about to be dispatched to steps (a step sees its input). */
  | "dispatch"
  /** Time is about to pass in-process on a Wait. */
  | "sleep"
  /** The job rests on a long Wait (`wakeAt` stored, lease given back). */
  | "rest"
  /** The job parks for a human decision (`needs_review`). */
  | "park"
  /** The job ends (complete or failed), the status in the same write. */
  | "end"
  /** The lease is given back (shutdown). */
  | "release";

/** What happened since the last write. */
export interface SinceLastWrite {
  /** Transitions made since the last write. */
  unwritten: number;
  /** The execution state differs from the one the job document holds. */
  stateChanged: boolean;
  /**
   * A new execution's first stretch, reproducible from the job document (no write since the claim,
   * no task result fed): a replay would issue the very same tasks.
   */
  reproducible: boolean;
  /** A write of this run lost its compare-and-set: another writer owns the job. */
  lost: boolean;
}

/** `write`: checkpoint now; `skip`: coalesce into a later write; `stop`: the job is lost, write nothing. */
export type WriteDecision = "write" | "skip" | "stop";

export function decideWrite(since: SinceLastWrite, next: NextEffect): WriteDecision {
  if (since.lost) return "stop";
  switch (next) {
    case "transition":
      return since.unwritten >= MAX_UNWRITTEN_TRANSITIONS ? "write" : "skip";
    case "dispatch":
      return since.reproducible || !since.stateChanged ? "skip" : "write";
    case "sleep":
      return since.stateChanged ? "write" : "skip";
    case "rest":
    case "park":
    case "end":
    case "release":
      // Each carries a status or lease change of its own: always one write.
      return "write";
  }
}
