/** Array intrinsics: Array, ArrayPartition, ArrayContains, ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique. */
import { deepEqual } from "../path/json.ts";
import { arrayArg, integerArg, invalidArgs } from "./args.ts";
import type { IntrinsicFunction } from "./args.ts";

/** AWS caps States.ArrayRange results at 1000 items. */
export const MAX_RANGE_ITEMS = 1000;

export const ARRAY_FUNCTIONS: Readonly<Record<string, IntrinsicFunction>> = {
  "States.Array": { minArgs: 0, maxArgs: Infinity, run: (args) => [...args] },

  "States.ArrayPartition": {
    minArgs: 2,
    maxArgs: 2,
    run(args) {
      const fn = "States.ArrayPartition";
      const arr = arrayArg(fn, args, 0);
      const size = integerArg(fn, args, 1);
      if (size <= 0) throw invalidArgs(fn, `the chunk size must be a positive integer, but was ${size}`);
      const out: unknown[][] = [];
      for (let i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
      return out;
    },
  },

  "States.ArrayContains": {
    minArgs: 2,
    maxArgs: 2,
    run(args) {
      const arr = arrayArg("States.ArrayContains", args, 0);
      const needle = args[1];
      return arr.some((item) => deepEqual(item, needle));
    },
  },

  "States.ArrayRange": {
    minArgs: 3,
    maxArgs: 3,
    run(args) {
      const fn = "States.ArrayRange";
      const start = integerArg(fn, args, 0);
      const end = integerArg(fn, args, 1);
      const step = integerArg(fn, args, 2);
      if (step === 0) throw invalidArgs(fn, "the step must not be 0");
      const count = Math.sign(end - start) === -Math.sign(step) ? 0 : Math.floor((end - start) / step) + 1;
      if (count > MAX_RANGE_ITEMS) {
        throw invalidArgs(
          fn,
          `the range would have ${count} items, more than the maximum of ${MAX_RANGE_ITEMS}`,
        );
      }
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(start + i * step);
      return out;
    },
  },

  "States.ArrayGetItem": {
    minArgs: 2,
    maxArgs: 2,
    run(args) {
      const fn = "States.ArrayGetItem";
      const arr = arrayArg(fn, args, 0);
      const index = integerArg(fn, args, 1);
      if (index < 0 || index >= arr.length) {
        throw invalidArgs(fn, `index ${index} is out of bounds for an array of length ${arr.length}`);
      }
      return arr[index];
    },
  },

  "States.ArrayLength": {
    minArgs: 1,
    maxArgs: 1,
    run: (args) => arrayArg("States.ArrayLength", args, 0).length,
  },

  "States.ArrayUnique": {
    minArgs: 1,
    maxArgs: 1,
    run(args) {
      const arr = arrayArg("States.ArrayUnique", args, 0);
      const out: unknown[] = [];
      for (const item of arr) if (!out.some((seen) => deepEqual(seen, item))) out.push(item);
      return out;
    },
  },
};
