import { describe, expect, it } from "vitest";
import { Coalescer, batches, type Outcome } from "../../../shared/jobs/coalescer.ts";

/** A coalescer whose flushes run only when the test calls `turn()`; it records every batch. */
function harness(
  maxBatch: number,
  run: (batch: readonly string[]) => Promise<readonly Outcome<string>[]> = (b) =>
    Promise.resolve(b.map((q) => ({ ok: true, value: q.toUpperCase() }))),
) {
  const scheduled: (() => void)[] = [];
  const calls: string[][] = [];
  const c = new Coalescer<string, string>(
    (batch) => {
      calls.push([...batch]);
      return run(batch);
    },
    (q) => q.split(":")[0]!,
    { maxBatch, schedule: (f) => scheduled.push(f) },
  );
  const turn = async () => {
    const fs = scheduled.splice(0);
    for (const f of fs) f();
    await new Promise((r) => setImmediate(r));
  };
  return { c, calls, scheduled, turn };
}

describe("Coalescer (group commit)", () => {
  it("hands every request of one turn to one call and settles each with its own outcome", async () => {
    const h = harness(10);
    const ps = ["a", "b", "c"].map((q) => h.c.submit(q));
    expect(h.scheduled).toHaveLength(1); // one flush per turn, however many requests
    expect(h.calls).toHaveLength(0); // nothing runs before the turn ends
    await h.turn();
    expect(h.calls).toEqual([["a", "b", "c"]]);
    expect(await Promise.all(ps)).toEqual(["A", "B", "C"]);
  });

  it("requests of the next turn go to the next call", async () => {
    const h = harness(10);
    const first = h.c.submit("a");
    await h.turn();
    const second = h.c.submit("b");
    await h.turn();
    expect(h.calls).toEqual([["a"], ["b"]]);
    expect([await first, await second]).toEqual(["A", "B"]);
  });

  it("splits a turn into calls of at most maxBatch, in order", async () => {
    const h = harness(2);
    const ps = ["a", "b", "c", "d", "e"].map((q) => h.c.submit(q));
    await h.turn();
    expect(h.calls).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(await Promise.all(ps)).toEqual(["A", "B", "C", "D", "E"]);
  });

  it("never puts one key twice in a call", async () => {
    const h = harness(10);
    const ps = ["a:1", "b:1", "a:2", "a:3", "c:1"].map((q) => h.c.submit(q));
    await h.turn();
    expect(h.calls).toEqual([["a:1", "b:1", "c:1"], ["a:2"], ["a:3"]]);
    expect(await Promise.all(ps)).toEqual(["A:1", "B:1", "A:2", "A:3", "C:1"]);
  });

  it("a failed call rejects every request of that call and only those", async () => {
    const boom = new Error("connection reset");
    const h = harness(2, (b) =>
      b.includes("c") ? Promise.reject(boom) : Promise.resolve(b.map((q) => ({ ok: true, value: q }))),
    );
    const all = Promise.allSettled(["a", "b", "c", "d"].map((q) => h.c.submit(q)));
    await h.turn();
    const settled = await all;
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected"]);
    expect((settled[2] as PromiseRejectedResult).reason).toBe(boom);
  });

  it("a per-request error rejects that request alone", async () => {
    const bad = new Error("refused");
    const h = harness(10, (b) =>
      Promise.resolve(b.map((q) => (q === "b" ? { ok: false, error: bad } : { ok: true, value: q }))),
    );
    const all = Promise.allSettled(["a", "b", "c"].map((q) => h.c.submit(q)));
    await h.turn();
    const settled = await all;
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((settled[1] as PromiseRejectedResult).reason).toBe(bad);
  });

  it("an answer with the wrong number of outcomes rejects the whole call", async () => {
    const h = harness(10, () => Promise.resolve([{ ok: true, value: "x" }]));
    const checks = ["a", "b"].map((q) => expect(h.c.submit(q)).rejects.toThrow("settled 1 of 2 requests"));
    await h.turn();
    await Promise.all(checks);
  });

  it("refuses a maxBatch that is not a positive integer", () => {
    expect(() => harness(0)).toThrow(RangeError);
    expect(() => harness(1.5)).toThrow(RangeError);
  });

  it("schedules with setImmediate by default: a turn's requests share a call", async () => {
    const calls: number[][] = [];
    const c = new Coalescer<number, number>(
      (b) => {
        calls.push([...b]);
        return Promise.resolve(b.map((n) => ({ ok: true, value: n * 2 })));
      },
      String,
      { maxBatch: 64 },
    );
    const out = await Promise.all([1, 2, 3].map((n) => c.submit(n)));
    expect(out).toEqual([2, 4, 6]);
    expect(calls).toEqual([[1, 2, 3]]);
    expect(c.queued).toBe(0);
  });
});

describe("batches", () => {
  it("keeps order, caps the size and spreads repeated keys over later batches", () => {
    const id = (s: string) => s[0]!;
    expect(batches([], id, 3)).toEqual([]);
    expect(batches(["a1", "b1", "c1", "d1"], id, 3)).toEqual([["a1", "b1", "c1"], ["d1"]]);
    expect(batches(["a1", "a2", "b1", "a3", "b2"], id, 3)).toEqual([["a1", "b1"], ["a2", "b2"], ["a3"]]);
    const many = Array.from({ length: 50 }, (_, i) => `${String.fromCharCode(97 + (i % 5))}${i}`);
    for (const b of batches(many, id, 4)) {
      expect(b.length).toBeLessThanOrEqual(4);
      expect(new Set(b.map(id)).size).toBe(b.length);
    }
    expect(batches(many, id, 4).flat().sort()).toEqual([...many].sort());
  });
});
