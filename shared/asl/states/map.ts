/**
 * Map: runs its ItemProcessor once per item (or per ItemBatcher batch), at most MaxConcurrency
 * iterations at a time; outputs are collected in item order. Iterations start lazily: a new one
 * starts only when no active iteration can progress, so a Pass-only processor keeps one iteration
 * in the checkpoint while task-bound ones fan out up to MaxConcurrency outstanding tasks.
 */
import { queryError, runtimeError } from "../errors.ts";
import { applyInputPath, finish } from "../engine/dataflow.ts";
import type { MapState } from "../engine/compiled.ts";
import { resolveInteger, resolvePercentage } from "../engine/fields.ts";
import { recover } from "../engine/recovery.ts";
import { allResults, resultChunkSize } from "../engine/results.ts";
import type { Turn } from "../engine/turn.ts";
import { unexpectedType } from "../jsonata/template.ts";
import { evaluatePath } from "../path/jsonpath.ts";
import type { Fan, Frame } from "../types.ts";
import { batchItems } from "./map-batch.ts";
import { recordChild, type StateHandler } from "./handler.ts";

function readItems(t: Turn<MapState>, eff: unknown): unknown[] {
  const st = t.st;
  if (st.jsonata) {
    if (st.items) {
      const items = st.items(t.states(), t.vars);
      if (!Array.isArray(items)) throw unexpectedType("Items", st.itemsSource, "array", items);
      return items;
    }
    if (!Array.isArray(t.frame.in))
      throw queryError(`Map state input must be an array but was: ${JSON.stringify(t.frame.in)}`);
    return t.frame.in;
  }
  const items = st.itemsPath === undefined ? eff : evaluatePath(st.itemsPath, t.pathCtx(eff));
  if (!Array.isArray(items)) {
    throw runtimeError(
      `Invalid path '${st.itemsPath ?? "$"}': the value is not an array: ${JSON.stringify(items)}`,
    );
  }
  return items;
}

/** Whether the items must be kept in the fan (they cannot be derived again from the input). */
const keepsItems = (st: MapState): boolean => st.jsonata || st.batcher !== undefined;

/** The input of iteration `index`: the item, or ItemSelector/Parameters applied with `$$.Map.Item`. */
function itemInput(t: Turn<MapState>, fan: Fan, index: number): unknown {
  const st = t.st;
  const eff = st.jsonata ? t.frame.in : applyInputPath(t);
  const value = (fan.items ?? readItems(t, eff))[index];
  if (!st.itemSelectorPath && !st.itemSelectorJsonata) return value;
  const context = { ...t.env.context(t.frame, st.name, t.at), Map: { Item: { Index: index, Value: value } } };
  if (st.itemSelectorJsonata) return st.itemSelectorJsonata(t.states({ context }), t.vars);
  return st.itemSelectorPath!(t.pathCtx(eff, context), t.env.deps);
}

export const mapHandler: StateHandler<MapState> = {
  enter(t) {
    const st = t.st;
    const eff = st.jsonata ? t.frame.in : applyInputPath(t);
    let items = readItems(t, eff);
    const max = resolveInteger(t, st.maxConcurrency, eff, "MaxConcurrency") ?? 0;
    const tc = resolveInteger(t, st.toleratedCount, eff, "ToleratedFailureCount");
    const tp = resolvePercentage(t, st.toleratedPercentage, eff, "ToleratedFailurePercentage");
    if (st.batcher) items = batchItems(t, st.batcher, items, eff);
    t.env.emit("MapStateStarted", st.name, () => ({ length: items.length }));
    const n = items.length;
    const fan: Fan = { n, next: 0, max, out: [], cs: resultChunkSize(n), fin: 0, bad: 0 };
    if (keepsItems(st)) fan.items = items;
    if (tc !== undefined) fan.tc = tc;
    if (tp !== undefined) fan.tp = tp;
    return t.with({ ph: "fan", fan, act: [] });
  },
  fan: {
    graph: (st) => st.processor,
    start(t, fan, act) {
      const index = fan.next;
      t.env.emit("MapIterationStarted", t.st.name, () => ({ index }));
      const kid: Frame = { s: t.st.processor.startAt, in: itemInput(t, fan, index), ph: "enter", i: index };
      return t.with({ ph: "fan", fan: { ...fan, next: index + 1 }, act: [...act, kid] });
    },
    succeeded(t, fan, act, k, kid) {
      t.env.emit("MapIterationSucceeded", t.st.name, () => ({ index: kid.i }));
      return t.with({ ph: "fan", ...recordChild(fan, act, k, kid.i!, kid.out, false) });
    },
    failed(t, fan, act, k, kid) {
      t.env.emit("MapIterationFailed", t.st.name, () => ({ index: kid.i, ...kid.err }));
      const err = kid.err!;
      if (fan.tc === undefined && fan.tp === undefined) {
        t.env.emit("MapStateFailed", t.st.name);
        return recover(t, err);
      }
      const next = recordChild(fan, act, k, kid.i!, { Error: err.error, Cause: err.cause }, true);
      const bad = next.fan.bad;
      const overCount = fan.tc !== undefined && bad > fan.tc;
      const overPct = fan.tp !== undefined && (bad / Math.max(fan.n, 1)) * 100 > fan.tp;
      if (overCount || overPct) {
        t.env.emit("MapStateFailed", t.st.name);
        return recover(t, {
          error: "States.ExceedToleratedFailureThreshold",
          cause: "The specified tolerance threshold was exceeded",
        });
      }
      return t.with({ ph: "fan", ...next });
    },
    complete(t, fan) {
      t.env.emit("MapStateSucceeded", t.st.name);
      const { output, assigned } = finish(t, allResults(fan.out, fan.n), true);
      return t.exit(output, assigned, t.st.next);
    },
  },
};
