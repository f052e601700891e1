/**
 * `npm run build`: the production build. Compiles the services and the CLI (`api/`, `scheduler/`,
 * `workers/`, `shared/`, `cli/`) with tsc into `dist/` (relative `.ts` imports rewritten to `.js`), and copies the bundled workflows
 * to `dist/statemachines/`, the trained model artifacts to `dist/models/` and the console's files to `dist/api/console/`, where the built code
 * looks for them (the same relative places as in the source tree). Run the result with `node dist/scheduler/main.js`, `node dist/workers/main.js`, `node dist/api/main.js` and `sluice` (bin/sluice.js runs `dist/cli/main.js` where there are no sources);
 * an install made with `npm ci --omit=dev` is enough to run it.
 */
import { spawn } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
export const DIST_DIR = resolve(root, "dist");

export interface BuildOptions {
  /** Where to write the build; default `dist/`. */
  outDir?: string;
  log?: (line: string) => void;
}

export async function build(opts: BuildOptions = {}): Promise<void> {
  const outDir = resolve(opts.outDir ?? DIST_DIR);
  const log = opts.log ?? ((l: string) => console.log(l));
  const t0 = performance.now();
  rmSync(outDir, { recursive: true, force: true });
  log(`[build] tsc -p tsconfig.build.json --outDir ${outDir}`);
  const code = await new Promise<number>((done) => {
    const args = ["tsc", "-p", "tsconfig.build.json", "--outDir", outDir];
    const child = spawn("npx", args, { cwd: root, stdio: "inherit" });
    child.on("exit", (c, signal) => done(c ?? (signal ? 128 : 1)));
    child.on("error", () => done(127));
  });
  if (code !== 0) throw new Error(`tsc failed (exit ${code})`);
  cpSync(resolve(root, "statemachines"), resolve(outDir, "statemachines"), { recursive: true });
  cpSync(resolve(root, "models"), resolve(outDir, "models"), { recursive: true });
  // The operators' console is static files the API serves (api/console-static.ts).
  cpSync(resolve(root, "api/console"), resolve(outDir, "api/console"), { recursive: true });
  log(`[build] ${outDir} ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

export async function buildCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log("usage: npm run build\n\nCompiles the services and the CLI into dist/ (see infra/build.ts).");
    return 0;
  }
  if (argv.length > 0) {
    console.error(`npm run build: unknown argument ${argv.join(" ")}`);
    return 2;
  }
  try {
    await build();
    return 0;
  } catch (err) {
    console.error(`[build] ${(err as Error).message}`);
    return 1;
  }
}
