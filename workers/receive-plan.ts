/**
 * When a worker receives from the work queue, and how much (pure; `WorkFeeder` applies it).
 *
 * - Free slots come first: a free slot not covered by a receive in flight gets a long poll at once,
 *   even while another long poll (sized for fewer slots) is still out. A slot never waits to batch.
 *   While work is waiting, a receive in flight covers as many slots as it asked for messages (it
 *   returns promptly and full), and a further one goes out beside it only for a batch of at least
 *   `batchFloor`; otherwise only the slots it was made for count (a long poll on a drained queue may
 *   return one message, late).
 * - Prefetch: up to `prefetch` messages more than the free slots are received and held until a slot
 *   frees. Refills of held messages alone are short polls (wait 0): they take only work that is
 *   already waiting, and never sit on a long poll that would take a message another worker's free
 *   slot could run. A long poll for free slots asks for the prefetch too only while the last receive
 *   came back full (work is waiting). A refill that came back short is not repeated until a slot
 *   frees (`refillAllowed`), so a drained queue costs at most one empty receive per finished job.
 * - Batching: a refill (no free slot waiting) smaller than `refillFloor` waits `FILL_WAIT_MS` for
 *   more demand, so a busy worker does not receive once per finished job.
 */

/** SQS returns at most 10 messages per receive. */
export const MAX_RECEIVE = 10;
/** How long a small refill of held messages waits for more demand (no slot is idle meanwhile). */
export const FILL_WAIT_MS = 20;

export interface InFlightReceive {
  /** Messages asked for. */
  readonly size: number;
  /** Free slots it was made for (the rest is prefetch). */
  readonly forSlots: number;
}

export interface IntakeState {
  /** Free slots (after held messages were started in them). */
  readonly free: number;
  /** Messages held (prefetched), not started. */
  readonly held: number;
  readonly inFlight: readonly InFlightReceive[];
  /** The last receive brought all it asked for: the queue has work waiting. */
  readonly workWaiting: boolean;
  /** Messages to hold beyond the free slots now (0 while prefetch is off). */
  readonly prefetch: number;
  /** The refill timer ran out: receive any demand, however small. */
  readonly refillDue: boolean;
  /** False after a refill came back short, until a slot frees. */
  readonly refillAllowed: boolean;
}

export interface IntakePolicy {
  readonly maxInFlight: number;
  /** While work is waiting, a further receive beside one in flight must ask for at least this many. */
  readonly batchFloor: number;
  /** Refills of at least this many messages go out at once; smaller ones wait `FILL_WAIT_MS`. */
  readonly refillFloor: number;
}

export type ReceivePlan =
  | { readonly kind: "receive"; readonly size: number; readonly forSlots: number; readonly longPoll: boolean }
  | { readonly kind: "later" }
  | { readonly kind: "none" };

const NONE: ReceivePlan = { kind: "none" };
const LATER: ReceivePlan = { kind: "later" };

export function planReceive(s: IntakeState, p: IntakePolicy): ReceivePlan {
  if (s.inFlight.length >= p.maxInFlight) return NONE;
  let outstanding = 0;
  let covered = 0;
  for (const r of s.inFlight) {
    outstanding += r.size;
    covered += r.forSlots;
  }
  // With work waiting, receives in flight come back promptly and full: all they bring counts. With
  // none, a long poll may bring one message late; only the slots it was made for count.
  const uncovered = s.free - (s.workWaiting ? outstanding : covered);
  if (uncovered > 0) {
    const extra = s.workWaiting ? s.prefetch : 0;
    const want = Math.min(MAX_RECEIVE, s.free + extra - s.held - outstanding);
    const size = Math.min(MAX_RECEIVE, Math.max(uncovered, want));
    // Work waiting and a receive already out (it returns promptly): a small one more costs the
    // queue service more than it saves; the slot is served when that one returns.
    if (s.workWaiting && s.inFlight.length > 0 && size < p.batchFloor) return NONE;
    return { kind: "receive", size, forSlots: Math.min(uncovered, size), longPoll: true };
  }
  const want = Math.min(MAX_RECEIVE, s.free + s.prefetch - s.held - outstanding);
  // A long poll out for free slots on a drained queue: a short poll would find nothing either.
  if (want <= 0 || !s.refillAllowed || (covered > 0 && !s.workWaiting)) return NONE;
  if (want >= p.refillFloor || s.refillDue)
    return { kind: "receive", size: want, forSlots: 0, longPoll: false };
  return LATER;
}

/** Default policy for a worker of `concurrency` slots holding up to `prefetch` messages. */
export function intakePolicy(concurrency: number, prefetch: number): IntakePolicy {
  const batchFloor = Math.max(1, Math.min(MAX_RECEIVE, Math.floor(concurrency / 3)));
  return {
    maxInFlight: Math.min(10, Math.ceil(concurrency / MAX_RECEIVE) + 2),
    batchFloor,
    refillFloor: Math.max(1, Math.min(batchFloor, prefetch)),
  };
}

/** Unset prefetch: a quarter of the slots (the worker's share of the scheduler's default lead), at least 1. */
export function defaultPrefetch(concurrency: number): number {
  return Math.max(1, Math.ceil(concurrency / 4));
}
