/**
 * A production install of Sluice for tests: the build (`infra/build.ts`) in `.cache/prod/dist`, next
 * to `package.json` and `package-lock.json` installed with `npm ci --omit=dev` — what a deployment
 * runs, with no dev dependency (no tsx, no TypeScript) available. The install is redone only when the
 * manifest or the lock changes; the build is redone every time (the source may have changed).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "../../../infra/build.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
export const PROD_DIR = resolve(ROOT, ".cache/prod");

function run(cmd: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    let out = "";
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", fail);
    child.on("exit", (code) =>
      code === 0 ? done() : fail(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${out}`)),
    );
  });
}

export async function productionInstall(): Promise<string> {
  mkdirSync(PROD_DIR, { recursive: true });
  const manifest = readFileSync(resolve(ROOT, "package.json"));
  const lock = readFileSync(resolve(ROOT, "package-lock.json"));
  const want = createHash("sha256").update(manifest).update(lock).digest("hex");
  const stamp = resolve(PROD_DIR, ".install.sha256");
  let have = "";
  try {
    have = readFileSync(stamp, "utf8");
  } catch {
    // no install yet
  }
  if (have !== want) {
    copyFileSync(resolve(ROOT, "package.json"), resolve(PROD_DIR, "package.json"));
    copyFileSync(resolve(ROOT, "package-lock.json"), resolve(PROD_DIR, "package-lock.json"));
    await run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], PROD_DIR);
    writeFileSync(stamp, want);
  }
  await build({ outDir: resolve(PROD_DIR, "dist"), log: () => {} });
  return PROD_DIR;
}
