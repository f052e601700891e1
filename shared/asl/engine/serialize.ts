/**
 * serializeExecution: the checkpoint text of an execution state, exactly `JSON.stringify(state)`,
 * built incrementally. Execution states are immutable and share every unchanged subtree with the
 * previous state, so a new state's text is assembled from the texts of the parts it shares with
 * the state serialized before (found by identity) plus the few new objects its transition created.
 * The cost is proportional to what the transition changed (the frames on the path to the changed
 * child and the new result: O(1) concatenations when results arrive in order, plus O(√n) identity
 * comparisons over the results chunks of a fan of n children), not to the size of the state.
 *
 * Where texts are remembered:
 * - per execution (keyed by its `ctx` object) and per fan frame (keyed by its path of child
 *   indices), the last fan bookkeeping, active-children list and results chunks serialized there,
 *   with their texts: reused when the next state holds the same objects. No per-object cache
 *   entries are made for them, which keeps the garbage collector's work low (measured: with a
 *   WeakMap entry per new fan/chunk, young-generation collections kept megabytes of dead texts
 *   alive and took most of the time);
 * - per execution, the text of its context data (the last execution is also held directly);
 * - in a WeakMap by identity, large values (inputs, outputs, variables: ≥ CACHE_MIN_CHARS).
 *
 * Assembly uses string concatenation, which V8 represents as a rope: the result is a complete,
 * ordinary string; flattening it (writing it out) costs its length, once, where it is consumed.
 *
 * Contract: objects reachable from a serialized state must not be mutated afterwards (the engine
 * never does; a caller must not mutate an input it passed in, nor a state it received).
 */
import type { ExecutionState } from "../types.ts";

/** Values whose text is shorter than this are re-serialized rather than cached. */
const CACHE_MIN_CHARS = 256;
/** Fan frames remembered per execution (cleared beyond this: a bound, never a correctness issue). */
const MAX_SLOTS = 1024;

const texts = new WeakMap<object, string>();
const keyTexts = new Map<string, readonly [first: string, next: string]>();
const quotedStrings = new Map<string, string>();

const nullTails: string[] = [""];

/** `,null` repeated `r` times (the unset tail of a results chunk). */
function nullTail(r: number): string {
  if (r > 4096) return ",null".repeat(r);
  while (nullTails.length <= r) nullTails.push(nullTails[nullTails.length - 1]! + ",null");
  return nullTails[r]!;
}

/**
 * The text of the successive revisions of one array (a results chunk, the chunk list), with the
 * element texts and the prefixes `[e0,...,ek-1,` of the last revision: a revision that changes
 * elements from index f on, followed by nulls only, costs O(1) concatenations per changed
 * element (plus identity comparisons), e.g. O(1) when results arrive in order.
 */
class ArrayText {
  private items: readonly unknown[] = [];
  private readonly parts: string[] = [];
  private readonly pre: string[] = ["["];
  private text = "[]";

  revise(items: readonly unknown[], part: (v: unknown, k: number) => string): string {
    if (items === this.items) return this.text;
    const { items: old, parts, pre } = this;
    const n = items.length;
    this.items = items;
    if (n === 0) {
      parts.length = 0;
      pre.length = 1;
      return (this.text = "[]");
    }
    const lim = Math.min(n, old.length);
    let f = 0;
    while (f < lim && items[f] === old[f]) f++;
    for (let k = f; k < n; k++) if (k >= old.length || items[k] !== old[k]) parts[k] = part(items[k], k);
    parts.length = n;
    let m = n - 1;
    while (m > 0 && items[m] === null) m--;
    pre.length = Math.min(pre.length, f + 1, m + 1);
    while (pre.length <= m) pre.push(pre[pre.length - 1]! + parts[pre.length - 1]! + ",");
    return (this.text = pre[m]! + parts[m]! + nullTail(n - 1 - m) + "]");
  }
}

/** What was last serialized at one fan frame of one execution. */
class Slot {
  in: unknown = undefined;
  inText: string | undefined = undefined;
  fan: object | undefined = undefined;
  fanText = "";
  act: readonly unknown[] = [];
  actTexts: string[] = [];
  out = new ArrayText();
  chunks: ArrayText[] = [];
}

type Slots = Map<string, Slot>;

/** What is remembered per execution, keyed by its context data object (`state.ctx`). */
interface Execution {
  ctxText: string | undefined;
  slots: Slots;
}
const executions = new WeakMap<object, Execution>();
let lastCtx: object | undefined;
let lastExecution: Execution | undefined;

function executionOf(state: ExecutionState): Execution {
  const ctx = state.ctx as unknown;
  if (ctx === lastCtx && lastExecution !== undefined) return lastExecution;
  if (typeof ctx !== "object" || ctx === null) return { ctxText: data(ctx), slots: new Map() };
  let x = executions.get(ctx);
  if (x === undefined) {
    x = { ctxText: JSON.stringify(ctx), slots: new Map() };
    executions.set(ctx, x);
  }
  lastCtx = ctx;
  lastExecution = x;
  return x;
}

function slotAt(slots: Slots, path: string): Slot {
  let slot = slots.get(path);
  if (slot === undefined) {
    if (slots.size >= MAX_SLOTS) slots.clear();
    slot = new Slot();
    slots.set(path, slot);
  }
  return slot;
}

/** `"key":` and `,"key":` for an object key. */
function keyText(k: string): readonly [string, string] {
  let t = keyTexts.get(k);
  if (t === undefined) {
    const q = JSON.stringify(k) + ":";
    t = [q, "," + q];
    if (keyTexts.size < 10_000) keyTexts.set(k, t);
  }
  return t;
}

/** JSON text of a string; short ones (state names, phases, hashes) are memoized. */
function str(v: string): string {
  if (v.length > 64) return JSON.stringify(v);
  let q = quotedStrings.get(v);
  if (q === undefined) {
    q = JSON.stringify(v);
    if (quotedStrings.size >= 10_000) quotedStrings.clear();
    quotedStrings.set(v, q);
  }
  return q;
}

/** JSON text of a JSON value (undefined for values JSON omits); large objects' texts are cached. */
function data(v: unknown): string | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? "" + v : "null";
  if (typeof v === "string") return str(v);
  if (typeof v !== "object" || v === null) return JSON.stringify(v) as string | undefined;
  let s = texts.get(v);
  if (s === undefined) {
    s = JSON.stringify(v);
    if (s.length >= CACHE_MIN_CHARS) texts.set(v, s);
  }
  return s;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Appends `"key":text` to an object text under construction (undefined = nothing yet). */
function field(s: string | undefined, k: string, text: string): string {
  const kt = keyText(k);
  return s === undefined ? "{" + kt[0] + text : s + (kt[1] + text);
}

/** `[a,b,...]` from element texts. */
function join(parts: readonly string[]): string {
  if (parts.length === 0) return "[]";
  let s = "[" + parts[0]!;
  for (let i = 1; i < parts.length; i++) s = s + ("," + parts[i]!);
  return s + "]";
}

/** A frame (the root, or an active child at `path`). */
function frameText(f: Record<string, unknown>, path: string, slots: Slots): string {
  const slot = f.ph === "fan" ? slotAt(slots, path) : undefined;
  let s: string | undefined;
  for (const k in f) {
    const v = f[k];
    let text: string | undefined;
    if (typeof v === "number") text = Number.isFinite(v) ? "" + v : "null";
    else if (typeof v === "string") text = str(v);
    else if (v === undefined) continue;
    else if (slot === undefined) text = data(v);
    else if (k === "in") text = inText(v, slot);
    else if (k === "fan" && isRecord(v)) text = fanText(v, slot);
    else if (k === "act" && Array.isArray(v)) text = actText(v, path, slot, slots);
    else text = data(v);
    if (text !== undefined) s = field(s, k, text);
  }
  return s === undefined ? "{}" : s + "}";
}

/** The input of a fan frame: the same object for all the steps of a Parallel or Map state. */
function inText(v: unknown, slot: Slot): string | undefined {
  if (v === slot.in) return slot.inText;
  slot.in = v;
  slot.inText = data(v);
  return slot.inText;
}

/** Fan bookkeeping: reused while the fan object is unchanged. */
function fanText(fan: Record<string, unknown>, slot: Slot): string {
  if (fan === slot.fan) return slot.fanText;
  let s: string | undefined;
  for (const k in fan) {
    const v = fan[k];
    let text: string | undefined;
    if (typeof v === "number") text = Number.isFinite(v) ? "" + v : "null";
    else if (v === undefined) continue;
    else if (k === "out" && Array.isArray(v)) text = outText(v, slot);
    else text = data(v);
    if (text !== undefined) s = field(s, k, text);
  }
  slot.fan = fan;
  slot.fanText = s === undefined ? "{}" : s + "}";
  return slot.fanText;
}

/** Active children: unchanged ones (same object, same or next position) keep their text. */
function actText(act: readonly unknown[], path: string, slot: Slot, slots: Slots): string {
  const last = slot.act;
  const lastTexts = slot.actTexts;
  const parts = new Array<string>(act.length);
  for (let j = 0; j < act.length; j++) {
    const kid = act[j];
    if (kid === last[j]) parts[j] = lastTexts[j]!;
    else if (kid === last[j + 1]) parts[j] = lastTexts[j + 1]!;
    else if (isRecord(kid)) {
      const i = typeof kid.i === "number" ? kid.i : j;
      parts[j] = frameText(kid, path + "/" + i, slots);
    } else parts[j] = data(kid) ?? "null";
  }
  slot.act = act;
  slot.actTexts = parts;
  return join(parts);
}

const element = (v: unknown): string => data(v) ?? "null";

/** Results chunks: only chunks that changed are revised, from their unchanged elements' texts. */
function outText(out: readonly unknown[], slot: Slot): string {
  const chunks = slot.chunks;
  return slot.out.revise(out, (c, k) => {
    if (!Array.isArray(c)) return element(c);
    return (chunks[k] ??= new ArrayText()).revise(c, element);
  });
}

/**
 * `JSON.stringify(state)`, assembled from the texts of the parts it shares with the states of the
 * same execution serialized before. `JSON.parse` of the result resumes the execution like the
 * state itself.
 */
export function serializeExecution(state: ExecutionState): string {
  const x = executionOf(state);
  const o = state as unknown as Record<string, unknown>;
  let s: string | undefined;
  for (const k in o) {
    const v = o[k];
    let text: string | undefined;
    if (typeof v === "number") text = Number.isFinite(v) ? "" + v : "null";
    else if (typeof v === "string") text = str(v);
    else if (v === undefined) continue;
    else if (k === "root" && isRecord(v)) text = frameText(v, "", x.slots);
    else if (k === "ctx" && v === state.ctx) text = x.ctxText;
    else text = data(v);
    if (text !== undefined) s = field(s, k, text);
  }
  return s === undefined ? "{}" : s + "}";
}
