/**
 * Math and identity intrinsics: MathAdd, MathRandom, UUID. Randomness comes from the injected
 * deps; a seeded MathRandom is deterministic (mulberry32 on the seed).
 */
import { integerArg, invalidArgs, numberArg } from "./args.ts";
import type { IntrinsicFunction } from "./args.ts";

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

/** Step Functions rounds non-integral numbers half up (Java Math.round), as JS Math.round does. */
function intValue(fn: string, args: readonly unknown[], i: number): number {
  const n = Math.round(numberArg(fn, args, i)) + 0;
  if (n < INT_MIN || n > INT_MAX) {
    throw invalidArgs(
      fn,
      `argument ${i + 1} must be between ${INT_MIN} and ${INT_MAX}, but was ${String(args[i])}`,
    );
  }
  return n;
}

/** One draw in [0, 1) from a 32-bit seed (mulberry32). */
export function seededRandom(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

export const MATH_FUNCTIONS: Readonly<Record<string, IntrinsicFunction>> = {
  "States.MathAdd": {
    minArgs: 2,
    maxArgs: 2,
    run(args) {
      const fn = "States.MathAdd";
      return intValue(fn, args, 0) + intValue(fn, args, 1);
    },
  },

  "States.MathRandom": {
    minArgs: 2,
    maxArgs: 3,
    run(args, deps) {
      const fn = "States.MathRandom";
      const start = intValue(fn, args, 0);
      const end = intValue(fn, args, 1);
      if (end <= start) throw invalidArgs(fn, `the end (${end}) must be greater than the start (${start})`);
      const r = args.length === 3 ? seededRandom(integerArg(fn, args, 2)) : deps.random();
      return start + Math.floor(r * (end - start));
    },
  },

  "States.UUID": { minArgs: 0, maxArgs: 0, run: (_args, deps) => deps.uuid() },
};
