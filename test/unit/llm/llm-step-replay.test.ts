import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../shared/log/logger.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { LlmRuntime } from "../../../workers/ai/llm/run-llm.ts";
import type { LlmProvider } from "../../../workers/ai/llm/types.ts";
import type { StepContext } from "../../../workers/sdk/context.ts";
import { createLlmStep } from "../../../workers/steps/llm.ts";

/** In-memory tenant blobs: only what the llm step uses (unit test; the real store is tested on the stack). */
function memoryBlobs() {
  const objects = new Map<string, string>();
  const keyFor = (parts: readonly string[] | string) =>
    `tenants/acme/jobs/j1/${typeof parts === "string" ? parts : parts.join("/")}`;
  return {
    objects,
    keyFor,
    head: async (key: string) => (objects.has(key) ? { key, bytes: objects.get(key)!.length } : undefined),
    getJson: async (key: string) => JSON.parse(objects.get(key)!) as unknown,
    put: async (parts: readonly string[] | string, body: string | Uint8Array) => {
      const key = keyFor(parts);
      objects.set(key, String(body));
      return { key, bytes: String(body).length };
    },
  };
}

describe("llm step: a replayed invocation", () => {
  it("returns the kept answer without calling the provider or reserving tokens again", async () => {
    let calls = 0;
    let reserved = 0;
    const provider: LlmProvider = {
      name: "openai",
      model: "m",
      chat: async () => {
        calls++;
        return {
          text: "once",
          usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 },
          model: "m",
          stopReason: "end",
        };
      },
      close: async () => undefined,
    };
    const runtime: LlmRuntime = {
      provider,
      budgets: {
        reserve: async (t, want) => {
          reserved += want;
          return { ok: true, reservation: { tenantId: t, month: "2026-12", tokens: want } };
        },
        settle: async () => undefined,
      },
      defaultMonthlyBudget: 1000,
      maxTokens: 16,
    };
    const blobs = memoryBlobs();
    const ctx = (idempotencyKey: string) =>
      ({
        tenantId: tenantId("acme"),
        jobId: "j1",
        stateName: "Ask",
        attempt: 0,
        idempotencyKey,
        signal: new AbortController().signal,
        heartbeat: async () => undefined,
        log: silentLogger(),
        blobs,
        settings: {},
        limiter: { schedule: (_p: string, fn: () => Promise<unknown>) => fn() },
      }) as unknown as StepContext;
    const step = createLlmStep(runtime);

    const first = await step.handler({ prompt: "hi" }, ctx("j1:Ask#1"));
    const replay = await step.handler({ prompt: "hi" }, ctx("j1:Ask#1"));
    expect(replay).toEqual(first);
    expect(calls).toBe(1);
    const reservedOnce = reserved;
    expect([...blobs.objects.keys()]).toEqual([
      expect.stringMatching(/^tenants\/acme\/jobs\/j1\/llm\/[0-9a-f]{32}\.json$/),
    ]);

    // Another invocation (a new idempotency key, e.g. a Retry) asks again.
    await step.handler({ prompt: "hi" }, ctx("j1:Ask#2"));
    expect(calls).toBe(2);
    expect(reserved).toBe(reservedOnce * 2);
  });
});
