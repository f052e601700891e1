import { withFileLock } from "../../shared/runtime/file-lock.ts";
import { pidAlive } from "./pidfile.ts";

/**
 * The stack installs' lock: the shared exclusive lock file (shared/runtime/file-lock.ts) with the
 * stack's zombie-aware liveness check.
 */
export function withLock<T>(
  file: string,
  what: string,
  onWait: (msg: string) => void,
  fn: () => Promise<T>,
  timeoutMs = 20 * 60_000,
): Promise<T> {
  return withFileLock(file, what, fn, { onWait, timeoutMs, pidAlive });
}
