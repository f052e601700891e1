import type { Logger } from "pino";
import { isAwsError } from "../aws/errors.ts";
import { isMongoConnectivityError } from "../mongo/reachability.ts";

/**
 * Start-up calls to MongoDB and SQS, retried while the dependency is unreachable (a fleet restarted
 * together with its local stack, LocalStack still booting, a MongoDB failover) instead of exiting at
 * once. Only "could not reach" failures are retried: a missing queue, bad credentials or a refused
 * command fail at the first try. Gives up after `budgetMs` with the last error, as the running process
 * does after `SLUICE_DEPENDENCY_EXIT_AFTER_MS` (its supervisor replaces it).
 */
export interface StartupRetryOptions {
  budgetMs: number;
  log: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function isUnreachableError(err: unknown): boolean {
  if (isAwsError(err))
    return err.code === "Unavailable" || err.code === "Throttled" || err.code === "Unknown";
  return isMongoConnectivityError(err);
}

/** Delay before attempt `n + 1` (n ≥ 1): 250 ms doubling, at most 5 s. */
export function startupBackoffMs(attempt: number): number {
  return Math.min(5_000, 250 * 2 ** Math.min(attempt - 1, 5));
}

export async function retryStartup<T>(
  what: string,
  fn: () => Promise<T>,
  opts: StartupRetryOptions,
): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + opts.budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const wait = startupBackoffMs(attempt);
      if (!isUnreachableError(err) || now() + wait > deadline) throw err;
      opts.log.warn(
        { err, attempt, retryInMs: wait },
        `${what}: dependency unreachable at start-up, retrying`,
      );
      await sleep(wait);
    }
  }
}
