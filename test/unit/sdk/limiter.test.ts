/**
 * `ctx.limiter` over bottleneck, with vitest's fake clock driving bottleneck's timers (no real
 * waiting, no timing asserts): order and counts only.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OutboundLimits, TenantOutbound } from "../../../shared/limits/outbound-limits.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { OutboundLimitsRegistry, type LimiterBinding } from "../../../workers/sdk/limiter.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function registry(config: OutboundLimits, overrides: Record<string, TenantOutbound> = {}) {
  return new OutboundLimitsRegistry({ config, tenantOverrides: async (t) => overrides[t] });
}

function binding(tenant = "acme", signal = new AbortController().signal) {
  const beats = { n: 0 };
  const b: LimiterBinding = {
    tenantId: tenantId(tenant),
    signal,
    heartbeat: async () => {
      beats.n++;
    },
    heartbeatEveryMs: 1000,
  };
  return { b, beats };
}

const settle = () => vi.advanceTimersByTimeAsync(50);

/** Advances the fake clock in small steps (at most `maxMs`) until `p` settles. */
async function flush<T>(p: Promise<T>, maxMs = 1000): Promise<T> {
  let done = false;
  const tracked = p.finally(() => (done = true));
  tracked.catch(() => undefined);
  for (let t = 0; !done && t < maxMs; t += 10) await vi.advanceTimersByTimeAsync(10);
  return tracked;
}

describe("outbound limiter", () => {
  it("an unconfigured provider runs at once", async () => {
    const r = registry({});
    expect(await r.bind(binding().b).schedule("none", async () => 7)).toBe(7);
  });

  it("a tenant's concurrency: the second call waits for the first to finish", async () => {
    const lim = registry({ openai: { perTenant: { concurrency: 1 } } }).bind(binding().b);
    const first = deferred();
    const order: string[] = [];
    const a = lim.schedule("openai", async () => {
      order.push("a start");
      await first.promise;
      order.push("a end");
    });
    const b = lim.schedule("openai", async () => {
      order.push("b start");
    });
    await settle();
    expect(order).toEqual(["a start"]);
    first.resolve();
    await settle();
    await flush(Promise.all([a, b]));
    expect(order).toEqual(["a start", "a end", "b start"]);
  });

  it("the provider's concurrency is shared by tenants; a tenant override raises only its own share", async () => {
    const r = registry(
      { openai: { concurrency: 1, perTenant: { concurrency: 1 } } },
      { globex: { openai: { concurrency: 5 } } },
    );
    const hold = deferred();
    const started: string[] = [];
    const a = r.bind(binding("acme").b).schedule("openai", async () => {
      started.push("acme");
      await hold.promise;
    });
    const g = r.bind(binding("globex").b).schedule("openai", async () => {
      started.push("globex");
    });
    await settle();
    expect(started).toEqual(["acme"]);
    hold.resolve();
    await flush(Promise.all([a, g]));
    expect(started).toEqual(["acme", "globex"]);
  });

  it("requests per minute: over the bucket a call waits for the refill, heartbeating", async () => {
    const { b, beats } = binding();
    const lim = registry({ openai: { requestsPerMinute: 2 } }).bind(b);
    const done: number[] = [];
    const calls = [1, 2, 3].map((i) => lim.schedule("openai", async () => void done.push(i)));
    await settle();
    expect(done).toEqual([1, 2]);
    expect(beats.n).toBe(0);
    await vi.advanceTimersByTimeAsync(35_000); // one request's worth of refill is 30 s
    await flush(Promise.all(calls));
    expect(done).toEqual([1, 2, 3]);
    expect(beats.n).toBeGreaterThanOrEqual(30);
  });

  it("tokens per minute: a call declaring tokens waits until the bucket holds them", async () => {
    const lim = registry({ llm: { tokensPerMinute: 1000 } }).bind(binding().b);
    const done: string[] = [];
    await flush(lim.schedule("llm", async () => void done.push("a"), { tokens: 600 }));
    const b = lim.schedule("llm", async () => void done.push("b"), { tokens: 600 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(done).toEqual(["a"]);
    await vi.advanceTimersByTimeAsync(20_000); // 400 tokens back after 24 s
    await flush(b);
    expect(done).toEqual(["a", "b"]);
  });

  it("a call larger than the whole bucket takes the whole bucket instead of waiting forever", async () => {
    const lim = registry({ llm: { tokensPerMinute: 100 } }).bind(binding().b);
    expect(await flush(lim.schedule("llm", async () => "ok", { tokens: 5000 }))).toBe("ok");
  });

  it("an abort while waiting rejects at once with the signal's reason and gives its place back", async () => {
    const r = registry({ openai: { perTenant: { concurrency: 1 } } });
    const ac = new AbortController();
    const hold = deferred();
    const first = r.bind(binding().b).schedule("openai", () => hold.promise);
    let ran = false;
    const waiting = r.bind(binding("acme", ac.signal).b).schedule("openai", async () => {
      ran = true;
    });
    const caught = waiting.catch((e: unknown) => e);
    await settle();
    ac.abort(new Error("step timed out"));
    expect(((await caught) as Error).message).toBe("step timed out");
    hold.resolve();
    await flush(first);
    expect(await flush(r.bind(binding().b).schedule("openai", async () => "next"))).toBe("next");
    expect(ran).toBe(false);
  });

  it("an already aborted signal never runs the call", async () => {
    const ac = new AbortController();
    ac.abort(new Error("gone"));
    const lim = registry({}).bind(binding("acme", ac.signal).b);
    await expect(lim.schedule("x", async () => 1)).rejects.toThrow("gone");
  });
});
