/** Pass: passes its input (or `Result`, or `Parameters`) to its output. */
import { effectiveInput, finish } from "../engine/dataflow.ts";
import type { PassState } from "../engine/compiled.ts";
import type { StateHandler } from "./handler.ts";

export const passHandler: StateHandler<PassState> = {
  enter(t) {
    const st = t.st;
    if (st.jsonata) {
      const { output, assigned } = finish(t, undefined, false);
      return t.exit(output, assigned, st.next);
    }
    const result = st.hasResult ? st.result : effectiveInput(t);
    const { output, assigned } = finish(t, result, true);
    return t.exit(output, assigned, st.next);
  },
};
