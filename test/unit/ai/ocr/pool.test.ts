import { describe, expect, it } from "vitest";
import type { OcrEngine } from "../../../../workers/ai/ocr/engine.ts";
import sharp from "sharp";
import { OcrEngineError, OcrTimeoutError } from "../../../../workers/ai/ocr/errors.ts";
import { ocrImage } from "../../../../workers/ai/ocr/ocr-image.ts";
import { createOcrPool } from "../../../../workers/ai/ocr/pool.ts";
import type { RecognizedPage } from "../../../../workers/ai/ocr/recognized.ts";

/** A fake engine whose recognitions settle when the test says so (like tesseract, never on terminate). */
class FakeEngine implements OcrEngine {
  broken = false;
  terminated = false;
  pending: { resolve: (p: RecognizedPage) => void; reject: (e: unknown) => void }[] = [];
  recognize(): Promise<RecognizedPage> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  async terminate() {
    this.terminated = true;
    this.broken = true;
  }
}

const EMPTY: RecognizedPage = { blocks: [] };
const tick = () => new Promise((r) => setImmediate(r));

function fakePool(size: number) {
  const engines: FakeEngine[] = [];
  const pool = createOcrPool({
    size,
    createEngine: async () => {
      const e = new FakeEngine();
      engines.push(e);
      return e;
    },
  });
  return { pool, engines };
}

describe("OCR pool", () => {
  it("creates engines lazily and reuses them across requests", async () => {
    const { pool, engines } = fakePool(2);
    expect(pool.stats().engines).toBe(0);
    const first = pool.recognize(Buffer.from("a"));
    await tick();
    engines[0]!.pending[0]!.resolve(EMPTY);
    await expect(first).resolves.toEqual(EMPTY);
    const second = pool.recognize(Buffer.from("b"));
    await tick();
    engines[0]!.pending[1]!.resolve(EMPTY);
    await second;
    expect(engines).toHaveLength(1);
    expect(pool.stats()).toMatchObject({ engines: 1, busy: 0, waiting: 0 });
  });

  it("queues requests beyond its size and serves them in order", async () => {
    const { pool, engines } = fakePool(1);
    const a = pool.recognize(Buffer.from("a"));
    const b = pool.recognize(Buffer.from("b"));
    await tick();
    expect(pool.stats()).toMatchObject({ busy: 1, waiting: 1 });
    expect(engines[0]!.pending).toHaveLength(1);
    engines[0]!.pending[0]!.resolve({ blocks: null });
    await a;
    await tick();
    expect(engines[0]!.pending).toHaveLength(2);
    engines[0]!.pending[1]!.resolve(EMPTY);
    await expect(b).resolves.toEqual(EMPTY);
  });

  it("an abort during recognition rejects at once, terminates that engine and replaces it for the next request", async () => {
    const { pool, engines } = fakePool(1);
    const ac = new AbortController();
    const running = pool.recognize(Buffer.from("a"), { signal: ac.signal });
    await tick();
    ac.abort(new Error("step timed out"));
    await expect(running).rejects.toThrow("step timed out");
    await tick();
    expect(engines[0]!.terminated).toBe(true);
    expect(pool.stats()).toMatchObject({ engines: 0, busy: 0, replaced: 1 });
    const next = pool.recognize(Buffer.from("b"));
    await tick();
    expect(engines).toHaveLength(2);
    engines[1]!.pending[0]!.resolve(EMPTY);
    await expect(next).resolves.toEqual(EMPTY);
  });

  it("an abort while waiting for an engine leaves the line without touching the running engine", async () => {
    const { pool, engines } = fakePool(1);
    const a = pool.recognize(Buffer.from("a"));
    const ac = new AbortController();
    const b = pool.recognize(Buffer.from("b"), { signal: ac.signal });
    await tick();
    ac.abort(new Error("cancelled"));
    await expect(b).rejects.toThrow("cancelled");
    expect(pool.stats().waiting).toBe(0);
    engines[0]!.pending[0]!.resolve(EMPTY);
    await a;
    expect(engines[0]!.terminated).toBe(false);
  });

  it("a rejected recognition fails that request only; a broken engine is replaced", async () => {
    const { pool, engines } = fakePool(1);
    const a = pool.recognize(Buffer.from("a"));
    await tick();
    engines[0]!.pending[0]!.reject(new OcrEngineError("Error attempting to read image."));
    await expect(a).rejects.toThrow("read image");
    const b = pool.recognize(Buffer.from("b"));
    await tick();
    engines[0]!.broken = true;
    engines[0]!.pending[1]!.reject(new OcrEngineError("thread exited"));
    await expect(b).rejects.toThrow(OcrEngineError);
    expect(pool.stats()).toMatchObject({ engines: 0, replaced: 1 });
  });

  it("a failed engine creation is not cached", async () => {
    let calls = 0;
    const pool = createOcrPool({
      size: 1,
      createEngine: async () => {
        calls += 1;
        if (calls === 1) throw new OcrEngineError("no data");
        const e = new FakeEngine();
        queueMicrotask(() => e.pending[0]?.resolve(EMPTY));
        e.recognize = () => Promise.resolve(EMPTY);
        return e;
      },
    });
    await expect(pool.recognize(Buffer.from("a"))).rejects.toThrow("no data");
    await expect(pool.recognize(Buffer.from("b"))).resolves.toEqual(EMPTY);
    expect(calls).toBe(2);
  });

  it("close rejects waiting requests, terminates engines and refuses new work", async () => {
    const { pool, engines } = fakePool(1);
    void pool.recognize(Buffer.from("a")).catch(() => {});
    const waiting = pool.recognize(Buffer.from("b"));
    await tick();
    await pool.close();
    await expect(waiting).rejects.toThrow("closed");
    expect(engines[0]!.terminated).toBe(true);
    await expect(pool.recognize(Buffer.from("c"))).rejects.toThrow("closed");
    await pool.close();
  });

  it("refuses a size below 1", () => {
    expect(() => createOcrPool({ size: 0 })).toThrow(RangeError);
  });

  it("a size given as a function is read at the first request (the worker's configuration binds it late)", async () => {
    let configured = 1;
    const engines: FakeEngine[] = [];
    const pool = createOcrPool({
      size: () => configured,
      createEngine: async () => {
        const e = new FakeEngine();
        engines.push(e);
        return e;
      },
    });
    configured = 2;
    void pool.recognize(Buffer.from("a"));
    void pool.recognize(Buffer.from("b"));
    await tick();
    expect(pool.stats()).toMatchObject({ size: 2, engines: 2, busy: 2, waiting: 0 });
    await pool.close();
  });

  it("a page over its time budget fails with OcrTimeoutError and its engine is replaced", async () => {
    const { pool, engines } = fakePool(1);
    const png = await sharp({ create: { width: 1200, height: 900, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const err = await ocrImage(pool, png, { page: 1, budgetMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OcrTimeoutError);
    expect(engines[0]!.terminated).toBe(true);
    expect(pool.stats()).toMatchObject({ busy: 0, replaced: 1 });
  });
});
