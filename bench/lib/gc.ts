/**
 * Garbage collection between measured rounds, so that one round does not pay for the garbage of the
 * previous one. Uses `globalThis.gc` when Node runs with `--expose-gc`; otherwise enables the flag at
 * run time and fetches `gc` from a fresh V8 context (works on Node 20+). Falls back to no GC.
 */
import v8 from "node:v8";
import vm from "node:vm";

type GcFn = () => void;

function findGc(): GcFn | undefined {
  const global = (globalThis as { gc?: GcFn }).gc;
  if (typeof global === "function") return global;
  try {
    v8.setFlagsFromString("--expose-gc");
    const fn: unknown = vm.runInNewContext("gc");
    return typeof fn === "function" ? (fn as GcFn) : undefined;
  } catch {
    return undefined;
  }
}

let cached: GcFn | undefined | null = null;

function gcFn(): GcFn | undefined {
  if (cached === null) cached = findGc();
  return cached;
}

/** Whether `collectGarbage` actually collects. */
export function gcAvailable(): boolean {
  return gcFn() !== undefined;
}

/** Run a full collection if possible. */
export function collectGarbage(): void {
  gcFn()?.();
}
