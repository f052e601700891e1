/**
 * The one door from the production CLI to the development tools (docs/adr/0025-operator-cli.md).
 *
 * `stack`, `provision`, `bench`, `chaos`, `test`, `demo`, `corpus`, `train`, `conformance` and
 * `build` live in infra/, bench/, test/ and demo/: a clone has them, the production build (`dist/`,
 * `npm ci --omit=dev`) does not. Production code never imports those folders statically (the
 * `sluice/boundaries` lint rule); this module reaches them with a dynamic import of a path computed
 * at run time, so tsc does not pull them into the build either. Run from the build, a development
 * command prints "this is a development command; run it from a clone" and exits 2.
 *
 * Each tool is a module exporting a function `(argv) => Promise<number>` (its exit code).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { EXIT, type CliIo } from "./context.ts";

/** Development tool → [module under the clone's root, exported function]. */
export const DEV_TOOLS = {
  stack: ["infra/stack/index.ts", "stackCommand"],
  provision: ["infra/provision.ts", "provisionCommand"],
  build: ["infra/build.ts", "buildCommand"],
  test: ["infra/test-runner.ts", "runAllTests"],
  demo: ["demo/run-demo.ts", "runDemoCommand"],
  conformance: ["test/conformance/run.ts", "conformanceCommand"],
  bench: ["bench/run.ts", "benchCommand"],
  chaos: ["bench/chaos/index.ts", "chaosCommand"],
  corpus: ["infra/corpus/cli.ts", "corpusCommand"],
  train: ["infra/train/index.ts", "trainCommand"],
} as const satisfies Record<string, readonly [string, string]>;

export type DevTool = keyof typeof DEV_TOOLS;

/** The clone this file lives in (`cli/..`); in the build, `dist/` (which has no infra/). */
export const CLONE_ROOT = resolve(import.meta.dirname, "..");

export const NOT_IN_BUILD =
  "this is a development command; run it from a clone (git clone, npm ci, npx sluice ...)";

/** Runs development tool `tool` with `argv`; exit 2 with `NOT_IN_BUILD` where it is not present. */
export async function runDevTool(
  tool: DevTool,
  argv: readonly string[],
  io: CliIo,
  root: string = CLONE_ROOT,
): Promise<number> {
  const [file, exported] = DEV_TOOLS[tool];
  const path = resolve(root, file);
  if (!existsSync(path)) {
    io.err(`sluice ${tool}: ${NOT_IN_BUILD}\n`);
    return EXIT.usage;
  }
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const fn = mod[exported];
  if (typeof fn !== "function") throw new Error(`${file} does not export ${exported}()`);
  return (await (fn as (argv: string[]) => Promise<number> | number)([...argv])) ?? EXIT.ok;
}
