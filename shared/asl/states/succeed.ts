/** Succeed: ends its graph (the execution, a branch or an iteration) with its input as output. */
import { applyInputPath, finish } from "../engine/dataflow.ts";
import type { SucceedState } from "../engine/compiled.ts";
import type { StateHandler } from "./handler.ts";

export const succeedHandler: StateHandler<SucceedState> = {
  enter(t) {
    const eff = t.st.jsonata ? t.frame.in : applyInputPath(t);
    const { output, assigned } = finish(t, eff, false);
    return t.exit(output, assigned, undefined);
  },
};
