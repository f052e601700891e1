import { greet } from "./greet.ts";
import { StepRegistry } from "./registry.ts";

/** The registry of every step this worker build ships. */
export function defaultSteps(): StepRegistry {
  return new StepRegistry().register("greet", greet);
}
