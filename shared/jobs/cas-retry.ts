/**
 * The one compare-and-set retry loop: read, decide, write with a filter that restates the decision;
 * a write that lost to another writer (`"lost"`) is decided again on a fresh read, at most
 * `CAS_ROUNDS` times, then the caller reports contention. Every other answer ends the loop. Used by
 * the job store (claim, cancel, retry, a poisoned message's failure), the claim of a job whose
 * document may be invalid (workers/claim-or-retire.ts), review decisions
 * (workers/review.ts) and the usage store's slot acquisition (shared/usage/usage-store.ts).
 */
export const CAS_ROUNDS = 5;

export type CasRound<T> = { readonly done: T } | "lost";

/** Runs `round` until it returns `{ done }`, at most `rounds` times; `undefined` when every round lost. */
export async function casRetry<T>(
  round: (n: number) => Promise<CasRound<T>>,
  rounds: number = CAS_ROUNDS,
): Promise<T | undefined> {
  for (let n = 0; n < rounds; n += 1) {
    const r = await round(n);
    if (r !== "lost") return r.done;
  }
  return undefined;
}
