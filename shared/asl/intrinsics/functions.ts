/** The registry of all 18 Step Functions intrinsics, by name. */
import { ARRAY_FUNCTIONS } from "./array-fns.ts";
import type { IntrinsicFunction } from "./args.ts";
import { FORMAT_FUNCTION } from "./format.ts";
import { MATH_FUNCTIONS } from "./math-fns.ts";
import { STRING_FUNCTIONS } from "./string-fns.ts";

export type { IntrinsicFunction } from "./args.ts";

export const FUNCTIONS: ReadonlyMap<string, IntrinsicFunction> = new Map(
  Object.entries({
    "States.Format": FORMAT_FUNCTION,
    ...ARRAY_FUNCTIONS,
    ...STRING_FUNCTIONS,
    ...MATH_FUNCTIONS,
  }),
);
