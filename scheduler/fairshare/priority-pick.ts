import type { Priority } from "../quota/priority.ts";

/**
 * Which priority class of one tenant to release next: strict `high` > `normal` > `low`, with aging by
 * bypass count. Each time a release passes over waiting `normal` or `low` work, that class's counter
 * goes up; once a counter reaches `agingAfter` the class is released next (the most-bypassed first)
 * and its counter resets. So within a continuously backlogged tenant a lower class gets at least one
 * release in every `agingAfter + 1` of that tenant's releases and can never starve; `Infinity` gives
 * strict priority. Counting releases rather than wall time keeps the core free of per-job timestamps
 * (SQS counts are all the snapshot has) and fully deterministic.
 */
export interface Bypassed {
  normal: number;
  low: number;
}

export const DEFAULT_PRIORITY_AGING = 8;

/** Picks a class with remaining work (at least one count > 0) and updates `bypassed` in place. */
export function pickPriority(
  remaining: Record<Priority, number>,
  bypassed: Bypassed,
  agingAfter: number,
): Priority {
  let chosen: Priority | undefined;
  const normalAged = remaining.normal > 0 && bypassed.normal >= agingAfter;
  const lowAged = remaining.low > 0 && bypassed.low >= agingAfter;
  if (normalAged || lowAged) {
    chosen = lowAged && (!normalAged || bypassed.low > bypassed.normal) ? "low" : "normal";
  } else if (remaining.high > 0) chosen = "high";
  else if (remaining.normal > 0) chosen = "normal";
  else chosen = "low";

  bypassed.normal = chosen === "normal" || remaining.normal === 0 ? 0 : bypassed.normal + 1;
  bypassed.low = chosen === "low" || remaining.low === 0 ? 0 : bypassed.low + 1;
  return chosen;
}
