/**
 * ItemBatcher: groups Map items into batches `{ ...BatchInput, Items: [...] }` of at most
 * MaxItemsPerBatch items (MaxInputBytesPerBatch is approximated with JSON sizes).
 */
import type { ItemBatcher, MapState } from "../engine/compiled.ts";
import { resolveInteger } from "../engine/fields.ts";
import type { Turn } from "../engine/turn.ts";
import type { CompiledPayload } from "../payload.ts";
import type { JsonataTemplate } from "../jsonata/template.ts";

export function batchItems(t: Turn<MapState>, b: ItemBatcher, items: unknown[], eff: unknown): unknown[] {
  const maxItems = resolveInteger(t, b.maxItems, eff, "MaxItemsPerBatch") || items.length || 1;
  let batchInput: unknown;
  if (b.batchInput) {
    batchInput = b.batchInputJsonata
      ? (b.batchInput as JsonataTemplate)(t.states(), t.vars)
      : (b.batchInput as CompiledPayload)(t.pathCtx(eff), t.env.deps);
  }
  const batches: unknown[] = [];
  for (let i = 0; i < items.length; i += maxItems) {
    const batch: Record<string, unknown> =
      typeof batchInput === "object" && batchInput !== null ? { BatchInput: batchInput } : {};
    batch.Items = items.slice(i, i + maxItems);
    batches.push(batch);
  }
  return batches;
}
