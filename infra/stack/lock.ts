import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

import { pidAlive } from "./pidfile.ts";
import { sleep } from "./proc.ts";

/**
 * An exclusive lock file (O_EXCL create holding the owner's pid). A lock whose owner died is stale
 * and taken over, so a killed install does not block the next one forever.
 */
export async function withLock<T>(
  file: string,
  what: string,
  onWait: (msg: string) => void,
  fn: () => Promise<T>,
  timeoutMs = 20 * 60_000,
): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = performance.now() + timeoutMs;
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
    if (!Number.isInteger(owner) || owner <= 0 || !pidAlive(owner)) {
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
      onWait(`waiting for ${what}: locked by pid ${owner} (${file})`);
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
