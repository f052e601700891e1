/**
 * `SLUICE_STEPS`: the user's step modules, imported by the worker at start. Each module exports
 * `defineStep` steps (named exports, the default export, or arrays of them). A module that cannot be
 * imported, exports no step, or a step whose name another step already has (a built-in or another
 * module's) is a `ConfigError`, reported with the module's path: the worker exits 2 as for any bad
 * setting, instead of running a fleet that cannot run the workflows it was given.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../../shared/config/config-error.ts";
import { isStep, type Step } from "./define-step.ts";

/** A module path as `import()` takes it: relative paths resolve against `cwd`; bare names are packages. */
export function moduleSpecifier(path: string, cwd: string): string {
  if (isAbsolute(path)) return pathToFileURL(path).href;
  if (path.startsWith(".")) return pathToFileURL(resolve(cwd, path)).href;
  return path;
}

/** The steps a module's exports hold, or a reason it holds none. */
export function stepsOfModule(mod: Record<string, unknown>): { steps: Step[] } | { problem: string } {
  const steps: Step[] = [];
  for (const [name, value] of Object.entries(mod)) {
    if (isStep(value)) steps.push(value);
    else if (Array.isArray(value) && value.length > 0 && value.some(isStep)) {
      const bad = value.findIndex((v) => !isStep(v));
      if (bad >= 0) return { problem: `export "${name}"[${bad}] is not a step made with defineStep` };
      steps.push(...(value as Step[]));
    }
  }
  if (steps.length === 0) return { problem: "exports no step (defineStep results, or arrays of them)" };
  return { steps: [...new Set(steps)] };
}

export async function loadStepModules(
  paths: readonly string[],
  opts: { taken: readonly string[]; cwd?: string },
): Promise<Step[]> {
  const cwd = opts.cwd ?? process.cwd();
  const owner = new Map<string, string>(opts.taken.map((n) => [n, "a built-in step"]));
  const problems: string[] = [];
  const out: Step[] = [];
  for (const path of paths) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(moduleSpecifier(path, cwd))) as Record<string, unknown>;
    } catch (err) {
      problems.push(
        `SLUICE_STEPS: ${path}: cannot be loaded: ${err instanceof Error ? err.message : String(err)}`,
      );
      continue;
    }
    const found = stepsOfModule(mod);
    if ("problem" in found) {
      problems.push(`SLUICE_STEPS: ${path}: ${found.problem}`);
      continue;
    }
    for (const step of found.steps) {
      const other = owner.get(step.name);
      if (other !== undefined) {
        problems.push(`SLUICE_STEPS: ${path}: step "${step.name}" clashes with ${other}`);
        continue;
      }
      owner.set(step.name, `the step of ${path}`);
      out.push(step);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
