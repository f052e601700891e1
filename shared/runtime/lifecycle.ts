/**
 * Process lifecycle for entry points (the only code that handles signals): the first SIGTERM or
 * SIGINT runs `shutdown` (graceful, bounded by the caller) and exits 0, or 1 if it threw; a second
 * signal while shutting down exits 1 at once.
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";

export interface SignalOptions {
  log: Logger;
  /** Stops every component; called once. */
  shutdown: (signal: NodeJS.Signals) => Promise<void>;
  /** Injected for tests; default `process.exit`. */
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

/** Installs the handlers; returns a function that removes them. */
export function exitOnSignals(opts: SignalOptions): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const signals = opts.signals ?? ["SIGTERM", "SIGINT"];
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.log.warn({ signal }, "second signal: exiting now");
      exit(1);
      return;
    }
    stopping = true;
    opts.log.info({ signal }, "shutting down gracefully (send the signal again to force)");
    opts.shutdown(signal).then(
      () => {
        opts.log.info("stopped");
        exit(0);
      },
      (err: unknown) => {
        opts.log.error({ err }, "shutdown failed");
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}

/** Whether the module at `moduleUrl` is the script node was started with. */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

/** Runs each stop in order even when one throws; throws the first error afterwards. */
export async function stopAll(steps: readonly (() => Promise<unknown>)[]): Promise<void> {
  let first: unknown;
  for (const stop of steps) {
    try {
      await stop();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}
