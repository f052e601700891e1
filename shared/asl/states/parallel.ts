/**
 * Parallel: starts every branch on the effective input; the branches' outputs, in branch order,
 * are the state's result. The first branch failure fails the state (other branches are dropped).
 */
import { effectiveInput, finish } from "../engine/dataflow.ts";
import type { ParallelState } from "../engine/compiled.ts";
import { recover } from "../engine/recovery.ts";
import { allResults, resultChunkSize } from "../engine/results.ts";
import type { Fan, Frame } from "../types.ts";
import { recordChild, type StateHandler } from "./handler.ts";

export const parallelHandler: StateHandler<ParallelState> = {
  enter(t) {
    const eff = effectiveInput(t);
    const n = t.st.branches.length;
    t.env.emit("ParallelStateStarted", t.st.name);
    const act: Frame[] = t.st.branches.map((b, i) => ({ s: b.startAt, in: eff, ph: "enter", i }));
    const fan: Fan = { n, next: n, max: 0, out: [], cs: resultChunkSize(n), fin: 0, bad: 0 };
    return t.with({ ph: "fan", fan, act });
  },
  fan: {
    graph: (st, i) => st.branches[i]!,
    start: (t) => t.frame,
    succeeded(t, fan, act, k, kid) {
      return t.with({ ph: "fan", ...recordChild(fan, act, k, kid.i!, kid.out, false) });
    },
    failed(t, _fan, _act, _k, kid) {
      t.env.emit("ParallelStateFailed", t.st.name, () => ({ ...kid.err }));
      return recover(t, kid.err!);
    },
    complete(t, fan) {
      t.env.emit("ParallelStateSucceeded", t.st.name);
      const { output, assigned } = finish(t, allResults(fan.out, fan.n), true);
      return t.exit(output, assigned, t.st.next);
    },
  },
};
