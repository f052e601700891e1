import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * An exclusive lock file (O_EXCL create holding the owner's pid), for first-use installs into the
 * per-user cache that several processes or clones may start at once. A lock whose owner died is
 * stale and taken over, so a killed install does not block the next one forever.
 */
export interface FileLockOptions {
  /** Told once when the lock is held by another live process. */
  readonly onWait?: (msg: string) => void;
  readonly timeoutMs?: number;
  /** Whether a pid still runs; the default asks the kernel with signal 0. */
  readonly pidAlive?: (pid: number) => boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function defaultPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function withFileLock<T>(
  file: string,
  what: string,
  fn: () => Promise<T>,
  opts: FileLockOptions = {},
): Promise<T> {
  const alive = opts.pidAlive ?? defaultPidAlive;
  mkdirSync(dirname(file), { recursive: true });
  const deadline = performance.now() + (opts.timeoutMs ?? 20 * 60_000);
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(file, "utf8").trim());
    } catch {
      continue; // released between our attempts
    }
    if (!Number.isInteger(owner) || owner <= 0 || !alive(owner)) {
      // Stale (owner died) or being written this very moment: give a writer a moment, then take over.
      await sleep(200);
      try {
        if (readFileSync(file, "utf8").trim() === (Number.isNaN(owner) ? "" : String(owner))) {
          rmSync(file, { force: true });
        }
      } catch {
        // gone already
      }
      continue;
    }
    if (!announced) {
      opts.onWait?.(`waiting for ${what}: locked by pid ${owner} (${file})`);
      announced = true;
    }
    if (performance.now() > deadline)
      throw new Error(`timed out waiting for lock ${file} held by pid ${owner}`);
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
