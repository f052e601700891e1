import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../shared/log/logger.ts";
import { tenantId, type TenantId } from "../../../shared/tenancy/tenant-id.ts";
import { admits, settleDelta } from "../../../workers/ai/llm/budget/budget-math.ts";
import type { Reservation, ReserveResult } from "../../../workers/ai/llm/budget/token-budget.ts";
import { LlmError } from "../../../workers/ai/llm/errors.ts";
import {
  LlmInputError,
  runLlm,
  type LlmRuntime,
  type TokenBudgetPort,
} from "../../../workers/ai/llm/run-llm.ts";
import type { LlmProvider, LlmRequest, LlmResult } from "../../../workers/ai/llm/types.ts";

const ACME = tenantId("acme");

/** In-memory budget port with the store's semantics (unit tests only; the real one is tested on the stack). */
class MemoryBudgets implements TokenBudgetPort {
  used = 0;
  async reserve(tenant: TenantId, want: number, budget: number): Promise<ReserveResult> {
    if (!admits(this.used, want, budget)) return { ok: false, used: this.used, budget, month: "2026-12" };
    this.used += want;
    return { ok: true, reservation: { tenantId: tenant, month: "2026-12", tokens: want } };
  }
  async settle(r: Reservation, usedTokens: number): Promise<void> {
    this.used += settleDelta(r.tokens, usedTokens);
  }
}

function fakeProvider(
  answer: (req: LlmRequest) => LlmResult | Promise<LlmResult>,
): LlmProvider & { calls: LlmRequest[] } {
  const calls: LlmRequest[] = [];
  return {
    name: "openai",
    model: "fake",
    calls,
    async chat(req) {
      calls.push(req);
      return answer(req);
    },
    async close() {},
  };
}

function scope() {
  const scheduled: { key: string; tokens: number | undefined }[] = [];
  return {
    scheduled,
    tenantId: ACME,
    signal: new AbortController().signal,
    log: silentLogger(),
    heartbeat: async () => undefined,
    limiter: {
      schedule<T>(key: string, fn: () => Promise<T>, opts?: { tokens?: number }) {
        scheduled.push({ key, tokens: opts?.tokens });
        return fn();
      },
    },
  };
}

function runtime(provider: LlmProvider | undefined, budgets: TokenBudgetPort, budget = 10_000): LlmRuntime {
  return { provider, budgets, defaultMonthlyBudget: budget, maxTokens: 256 };
}

const ok = (text: string, total = 30): LlmResult => ({
  text,
  usage: { inputTokens: total - 5, outputTokens: 5, totalTokens: total },
  model: "fake",
  stopReason: "end",
});

describe("runLlm", () => {
  it("no provider: Sluice.LlmNotConfigured before anything is reserved", async () => {
    const budgets = new MemoryBudgets();
    await expect(
      runLlm({ prompt: "hi" }, undefined, runtime(undefined, budgets), scope()),
    ).rejects.toMatchObject({
      code: "not_configured",
    });
    expect(budgets.used).toBe(0);
  });

  it("reserves input + maxTokens, calls through the provider's limiter key, settles to the usage", async () => {
    const budgets = new MemoryBudgets();
    const provider = fakeProvider(() => ok("hello", 30));
    const s = scope();
    const out = await runLlm(
      { prompt: "x".repeat(40), maxTokens: 100 },
      undefined,
      runtime(provider, budgets),
      s,
    );
    expect(out).toMatchObject({
      text: "hello",
      provider: "openai",
      usage: { totalTokens: 30 },
      documentCharsDropped: 0,
    });
    expect(s.scheduled).toEqual([{ key: "llm:openai", tokens: 114 }]);
    expect(provider.calls[0]).toMatchObject({ maxTokens: 100, signal: s.signal });
    expect(budgets.used).toBe(30);
  });

  it("the tenant's own budget wins over the default", async () => {
    const budgets = new MemoryBudgets();
    const provider = fakeProvider(() => ok("never"));
    const s = { ...scope(), monthlyBudget: 50 };
    await expect(
      runLlm({ prompt: "hi", maxTokens: 100 }, undefined, runtime(provider, budgets), s),
    ).rejects.toMatchObject({
      code: "budget_exceeded",
    });
    expect(provider.calls).toHaveLength(0);
  });

  it("over budget: Sluice.TokenBudgetExceeded and the provider is never called", async () => {
    const budgets = new MemoryBudgets();
    budgets.used = 950;
    const provider = fakeProvider(() => ok("never"));
    const err = await runLlm(
      { prompt: "hi", maxTokens: 100 },
      undefined,
      runtime(provider, budgets, 1000),
      scope(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).code).toBe("budget_exceeded");
    expect((err as LlmError).message).toMatch(/used 950 of its 1000 LLM tokens/);
    expect(provider.calls).toHaveLength(0);
    expect(budgets.used).toBe(950);
  });

  it("a failed call gives its reservation back, except the tokens an off-schema answer cost", async () => {
    const budgets = new MemoryBudgets();
    const down = fakeProvider(() => Promise.reject(new LlmError("unavailable", "503")));
    await expect(runLlm({ prompt: "hi" }, undefined, runtime(down, budgets), scope())).rejects.toMatchObject({
      code: "unavailable",
    });
    expect(budgets.used).toBe(0);
    const off = fakeProvider(() =>
      Promise.reject(
        new LlmError("bad_output", "not JSON", {
          usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 },
        }),
      ),
    );
    await expect(
      runLlm({ prompt: "hi", schema: { type: "object" } }, undefined, runtime(off, budgets), scope()),
    ).rejects.toMatchObject({ code: "bad_output" });
    expect(budgets.used).toBe(12);
  });

  it("maxTokens over the cap is cut to the cap; an unusable schema is an input error", async () => {
    const p = fakeProvider(() => ok("x"));
    await runLlm({ prompt: "hi", maxTokens: 5000 }, undefined, runtime(p, new MemoryBudgets()), scope());
    expect(p.calls[0]!.maxTokens).toBe(256);
    await expect(
      runLlm(
        { prompt: "hi", schema: { type: "array" } },
        undefined,
        runtime(p, new MemoryBudgets()),
        scope(),
      ),
    ).rejects.toBeInstanceOf(LlmInputError);
    expect(p.calls).toHaveLength(1);
  });

  it("passes the schema and the document; json comes back", async () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
    const p = fakeProvider(() => ({ ...ok('{"a":"b"}'), json: { a: "b" } }));
    const out = await runLlm(
      { prompt: "Read it.", schema },
      "the document",
      runtime(p, new MemoryBudgets()),
      scope(),
    );
    expect(out.json).toEqual({ a: "b" });
    expect(p.calls[0]!.schema).toEqual(schema);
    expect(p.calls[0]!.messages.at(-1)!.content).toContain("<document>\nthe document\n</document>");
  });
});
