/**
 * A synchronous build of the `jsonata` package.
 *
 * jsonata 2.x evaluates through `async` functions, so every evaluation costs a chain of Promises
 * and would force the whole engine (`step`) to be async. Its evaluator is a straight translation
 * of jsonata 1.x's synchronous generator code into async/await with no real asynchrony inside:
 * nothing awaits I/O or timers, only its own calls and user functions. Removing `async`/`await`
 * (and `Promise.all`, whose inputs then are plain values) from the package's own source therefore
 * yields the same evaluator, synchronous. The source is the installed package (no copy kept in
 * this repository), transformed once, lazily, on the first JSONata expression a machine compiles;
 * a probe checks that the result evaluates synchronously and refuses to run otherwise.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** The subset of jsonata's expression API the engine uses, synchronous. */
export interface SyncExpression {
  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown;
  registerFunction(name: string, implementation: (...args: never[]) => unknown, signature?: string): void;
  assign(name: string, value: unknown): void;
}

export type SyncJsonata = (expression: string) => SyncExpression;

let loaded: SyncJsonata | undefined;

/** Transform jsonata's async evaluator source into a synchronous one. Exported for tests. */
export function desugarAsync(source: string): string {
  return source
    .replace(/\bawait\s+Promise\.all\(/g, "(")
    .replace(/\basync\s+function\b/g, "function")
    .replace(/\basync\s+\(/g, "(")
    .replace(/\bawait\s+/g, "");
}

export function syncJsonata(): SyncJsonata {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = require.resolve("jsonata");
  const source = desugarAsync(readFileSync(file, "utf8"));
  if (/\bawait\b/.test(source))
    throw new Error(`jsonata at ${file}: could not build a synchronous evaluator`);
  const mod: { exports: unknown } = { exports: {} };
  // The UMD bundle assigns module.exports when given CommonJS-style `module`/`exports`.
  new Function("module", "exports", source)(mod, mod.exports);
  const candidate = mod.exports as SyncJsonata;
  const probe = candidate("$sum($map([1, 2], function($v) { $v * 2 }))").evaluate(null);
  if (probe !== 6) throw new Error(`jsonata at ${file}: synchronous evaluator failed its probe`);
  loaded = candidate;
  return loaded;
}
