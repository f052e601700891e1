import { describe, expect, it } from "vitest";
import {
  compileSchema,
  parseStructured,
  stripFence,
  structuredAnswer,
} from "../../../workers/ai/llm/structured.ts";
import { LlmError } from "../../../workers/ai/llm/errors.ts";

const INVOICE = {
  type: "object",
  properties: {
    number: { type: "string", minLength: 1 },
    total: { type: "number" },
    lines: { type: "array", items: { type: "string" } },
  },
  required: ["number", "total"],
  additionalProperties: false,
};

function compiled() {
  const c = compileSchema(INVOICE);
  if (!c.ok) throw new Error(c.reason);
  return c.schema;
}

describe("structured output", () => {
  it("parses and validates a JSON answer, with or without a code fence", () => {
    expect(parseStructured('{"number":"A-1","total":12.5}', compiled())).toEqual({
      number: "A-1",
      total: 12.5,
    });
    expect(parseStructured('```json\n{"number":"A-1","total":1,"lines":["x"]}\n```', compiled())).toEqual({
      number: "A-1",
      total: 1,
      lines: ["x"],
    });
    expect(stripFence("  plain  ")).toBe("plain");
  });

  it("rejects prose, a missing field, a wrong type and an extra field as bad_output", () => {
    for (const text of [
      "The invoice number is A-1.",
      '{"total":1}',
      '{"number":"A-1","total":"12"}',
      '{"number":"A-1","total":1,"vendor":"x"}',
    ]) {
      const err = (() => {
        try {
          parseStructured(text, compiled());
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err, text).toBeInstanceOf(LlmError);
      expect((err as LlmError).code).toBe("bad_output");
    }
  });

  it("a failed answer carries the tokens it cost", () => {
    const usage = { inputTokens: 10, outputTokens: 4, totalTokens: 14 };
    try {
      structuredAnswer("nope", compiled(), usage);
      expect.unreachable();
    } catch (e) {
      expect((e as LlmError).usage).toEqual(usage);
    }
  });

  it("refuses schemas that are not objects, unsupported, or too large", () => {
    expect(compileSchema({ type: "string" })).toMatchObject({ ok: false, reason: /object/ });
    expect(compileSchema({ type: "object", properties: { a: { type: "nonsense" } } })).toMatchObject({
      ok: false,
    });
    const huge = { type: "object", description: "x".repeat(40_000) };
    expect(compileSchema(huge)).toMatchObject({ ok: false, reason: /over/ });
  });
});
