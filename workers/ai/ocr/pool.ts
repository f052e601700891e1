import type { OcrEngine, OcrEngineFactory } from "./engine.ts";
import { tesseractEngineFactory } from "./tesseract-engine.ts";
import { OcrEngineError } from "./errors.ts";
import type { RecognizedPage } from "./recognized.ts";
import { abortable } from "../abortable.ts";

export interface OcrPoolOptions {
  /**
   * Engines (threads, ~160 MB each) recognizing at once; more requests wait in line. A function is
   * read once, at the first request (so a pool made before the configuration is known can follow it).
   */
  size: number | (() => number);
  /** Makes one engine; default the tesseract.js one (a fake in unit tests). */
  createEngine?: OcrEngineFactory;
}

export interface OcrPoolStats {
  /** Engines the pool may run (0 until a size given as a function is read). */
  size: number;
  /** Engines created and alive (created lazily, on first need). */
  engines: number;
  busy: number;
  waiting: number;
  /** Engines terminated because their recognition was aborted or their thread died. */
  replaced: number;
}

export interface OcrPool {
  /**
   * Recognizes one prepared image on a free engine (waiting in line for one). An abort while
   * waiting leaves the line; an abort while recognizing terminates that engine (a recognition
   * cannot be cancelled) and the next request gets a fresh one. Rejects with the signal's reason
   * on abort, `OcrEngineError` on an engine failure or after `close`.
   */
  recognize(png: Buffer, opts?: { signal?: AbortSignal }): Promise<RecognizedPage>;
  stats(): OcrPoolStats;
  /** Rejects waiting requests, terminates every engine. Idempotent. */
  close(): Promise<void>;
}

interface Slot {
  engine: Promise<OcrEngine> | undefined;
  busy: boolean;
}

interface Waiter {
  grant: (slot: Slot) => void;
  reject: (err: unknown) => void;
}

/**
 * A fixed number of reusable OCR engines shared by every job of a worker process (creating one costs
 * ~200 ms to seconds and ~160 MB, so never per job). Engines are created on first need.
 */
export function createOcrPool(opts: OcrPoolOptions): OcrPool {
  const checked = (n: number) => {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`OCR pool size must be an integer ≥ 1, got ${n}`);
    return n;
  };
  let size = typeof opts.size === "number" ? checked(opts.size) : undefined;
  const sizeOf = () => (size ??= checked(typeof opts.size === "number" ? opts.size : opts.size()));
  let slotList: Slot[] | undefined;
  const slots = () =>
    (slotList ??= Array.from({ length: sizeOf() }, () => ({ engine: undefined, busy: false })));
  const waiting: Waiter[] = [];
  const createEngine = opts.createEngine ?? tesseractEngineFactory();
  let closed = false;
  let replaced = 0;
  const closedError = () => new OcrEngineError("OCR pool is closed");

  const acquire = (signal: AbortSignal | undefined): Promise<Slot> => {
    const free = slots().find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise<Slot>((resolve, reject) => {
      const onAbort = () => {
        const i = waiting.indexOf(waiter);
        if (i >= 0) waiting.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: (slot) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(slot);
        },
        reject: (err) => {
          signal?.removeEventListener("abort", onAbort);
          reject(err);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      waiting.push(waiter);
    });
  };

  const release = (slot: Slot, discard: boolean) => {
    if (discard && slot.engine) {
      const engine = slot.engine;
      slot.engine = undefined;
      replaced += 1;
      void engine.then((e) => e.terminate()).catch(() => {});
    }
    const next = waiting.shift();
    if (next) next.grant(slot);
    else slot.busy = false;
  };

  const engineOf = (slot: Slot): Promise<OcrEngine> => {
    if (!slot.engine) {
      const created = createEngine();
      slot.engine = created;
      // A failed creation is retried by the next request, not cached.
      created.catch(() => {
        if (slot.engine === created) slot.engine = undefined;
      });
    }
    return slot.engine;
  };

  return {
    async recognize(png, { signal } = {}) {
      if (closed) throw closedError();
      signal?.throwIfAborted();
      const slot = await acquire(signal);
      let discard = false;
      try {
        if (closed) throw closedError();
        const engine = await abortable(engineOf(slot), signal, () => {});
        if (engine.broken) {
          discard = true;
          throw new OcrEngineError("OCR engine is not running");
        }
        return await abortable(engine.recognize(png), signal, () => {
          discard = true;
        });
      } catch (err) {
        const engine = await slot.engine?.catch(() => undefined);
        if (engine?.broken) discard = true;
        throw err;
      } finally {
        release(slot, discard);
      }
    },
    stats() {
      const list = slotList ?? [];
      return {
        size: size ?? 0,
        engines: list.filter((s) => s.engine).length,
        busy: list.filter((s) => s.busy).length,
        waiting: waiting.length,
        replaced,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const w of waiting.splice(0)) w.reject(closedError());
      const list = slotList ?? [];
      const engines = list.map((s) => s.engine).filter((e) => e !== undefined);
      for (const s of list) s.engine = undefined;
      await Promise.all(engines.map((e) => e.then((x) => x.terminate()).catch(() => {})));
    },
  };
}
