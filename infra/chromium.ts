/**
 * The browser the console's tests drive: Debian's `chromium` package (never a downloaded browser).
 * `npm test` calls `ensureChromium()` before the integration tests: a Chromium at `SLUICE_CHROMIUM` or
 * /usr/bin/chromium is used as it is; otherwise, as root, it is installed with apt-get (an
 * `apt-get update` first if the package lists are stale); otherwise it says how to install it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env["SLUICE_CHROMIUM"] ?? DEFAULT_CHROMIUM;
}

function apt(args: string[]): boolean {
  const r = spawnSync("apt-get", args, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return r.status === 0;
}

/** The Chromium path, installed if needed and possible; throws with the manual step otherwise. */
export function ensureChromium(log: (line: string) => void = console.log): string {
  const path = chromiumPath();
  if (existsSync(path)) return path;
  if (process.env["SLUICE_CHROMIUM"] !== undefined) throw new Error(`SLUICE_CHROMIUM=${path} does not exist`);
  if (typeof process.getuid !== "function" || process.getuid() !== 0) {
    throw new Error(
      `the console's browser tests need Chromium at ${path}: run "sudo apt-get install -y chromium" (or set SLUICE_CHROMIUM)`,
    );
  }
  log("[test] installing Debian's chromium for the console's browser tests (apt-get install chromium)...");
  const quiet = ["install", "-y", "-q", "--no-install-recommends", "chromium"];
  if (!apt(quiet) && !(apt(["update", "-q"]) && apt(quiet))) {
    throw new Error("apt-get install chromium failed (see above)");
  }
  if (!existsSync(path)) throw new Error(`apt-get installed chromium but ${path} is missing`);
  return path;
}
